package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.config.ConfigException;

/**
 * The value of a Telemetry {@code tagOverrides} upsert: the common forms of Istio's CEL attribute
 * expressions. Anything else is refused when the configuration arrives (the proxy NACKs it with
 * the path), rather than silently producing wrong labels.
 */
public sealed interface TagExpr {
  /** The tag's value for one request ({@code unknown} when the attribute is absent). */
  String eval(RequestView request);

  /** The request attributes an expression may read; TCP connections have none. */
  interface RequestView {
    String host();

    String method();

    String scheme();

    String protocol();

    String header(String name);

    int responseCode();
  }

  /** {@code 'text'} or {@code "text"}. */
  record Literal(String value) implements TagExpr {
    @Override
    public String eval(RequestView request) {
      return value;
    }
  }

  /** {@code request.host}, {@code request.method}, {@code request.scheme}, {@code request.protocol}, {@code response.code}. */
  record Attribute(String name) implements TagExpr {
    @Override
    public String eval(RequestView r) {
      if (r == null) {
        return WorkloadMetadata.UNKNOWN;
      }
      String v = switch (name) {
        case "request.host" -> r.host();
        case "request.method" -> r.method();
        case "request.scheme" -> r.scheme();
        case "request.protocol" -> r.protocol();
        case "response.code" -> Integer.toString(r.responseCode());
        default -> null;
      };
      return WorkloadMetadata.orUnknown(v);
    }
  }

  /** {@code request.headers['name']}. */
  record Header(String name) implements TagExpr {
    @Override
    public String eval(RequestView r) {
      return r == null ? WorkloadMetadata.UNKNOWN : WorkloadMetadata.orUnknown(r.header(name));
    }
  }

  /** Parses an expression, or throws naming {@code path} and the forms that are supported. */
  static TagExpr parse(String text, String path) throws ConfigException {
    var s = text == null ? "" : text.trim();
    if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
      return new Literal(s.substring(1, s.length() - 1));
    }
    switch (s) {
      case "request.host", "request.method", "request.scheme", "request.protocol", "response.code" -> {
        return new Attribute(s);
      }
      default -> { }
    }
    if (s.startsWith("request.headers[") && s.endsWith("]")) {
      var inner = s.substring("request.headers[".length(), s.length() - 1).trim();
      if (inner.length() >= 2 && (inner.startsWith("'") && inner.endsWith("'") || inner.startsWith("\"") && inner.endsWith("\""))) {
        return new Header(inner.substring(1, inner.length() - 1).toLowerCase(java.util.Locale.ROOT));
      }
    }
    throw new ConfigException(path, "tag expression \"" + text + "\" is not supported; use request.host, request.method,"
        + " request.scheme, request.protocol, response.code, request.headers['name'] or a quoted literal");
  }
}
