package io.meshwork.config.schema;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One validation error, printed the way the Kubernetes API server prints them:
 * {@code spec.trafficPolicy.loadBalancer.warmup.minimumPercent: Invalid value: 150: must be between 0 and 100}.
 */
public record FieldError(FieldPath path, Type type, Object value, String detail) {

  /** Kubernetes' field.ErrorType, plus unknown fields (strict decoding). */
  public enum Type {
    REQUIRED("Required value"),
    INVALID("Invalid value"),
    UNSUPPORTED("Unsupported value"),
    DUPLICATE("Duplicate value"),
    FORBIDDEN("Forbidden"),
    TOO_MANY("Too many"),
    NOT_FOUND("Not found"),
    UNKNOWN_FIELD("Unknown field");

    private final String text;

    Type(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public static FieldError required(FieldPath path) {
    return new FieldError(path, Type.REQUIRED, null, "");
  }

  public static FieldError required(FieldPath path, String detail) {
    return new FieldError(path, Type.REQUIRED, null, detail);
  }

  public static FieldError invalid(FieldPath path, Object value, String detail) {
    return new FieldError(path, Type.INVALID, value, detail);
  }

  public static FieldError forbidden(FieldPath path, String detail) {
    return new FieldError(path, Type.FORBIDDEN, null, detail);
  }

  public static FieldError duplicate(FieldPath path, Object value) {
    return new FieldError(path, Type.DUPLICATE, value, "");
  }

  public static FieldError unsupported(FieldPath path, Object value, Collection<String> supported) {
    var list = supported.stream().map(FieldError::quote).collect(Collectors.joining(", "));
    return new FieldError(path, Type.UNSUPPORTED, value, "supported values: " + list);
  }

  public static FieldError unknownField(FieldPath path) {
    return new FieldError(path, Type.UNKNOWN_FIELD, null, "not a field of this kind; check its spelling and the kind's API version");
  }

  /** The message without the path. */
  public String message() {
    var sb = new StringBuilder(type.text());
    switch (type) {
      case REQUIRED, FORBIDDEN, UNKNOWN_FIELD -> {}
      default -> sb.append(": ").append(formatValue(value));
    }
    if (detail != null && !detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    var p = path.toString();
    return p.isEmpty() ? message() : p + ": " + message();
  }

  /** Values the way Kubernetes prints them: strings quoted, numbers bare, objects as {@code "object"}. */
  public static String formatValue(Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> quote(s);
      case Number n -> n instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString(d.longValue()) : n.toString();
      case Boolean b -> b.toString();
      case Enum<?> e -> quote(e.name());
      case Collection<?> c -> "\"array\"";
      case Map<?, ?> m -> "\"object\"";
      case Raw r -> r.text();
      default -> "\"object\"";
    };
  }

  /** A value printed as given, unquoted. */
  public record Raw(String text) {}

  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
