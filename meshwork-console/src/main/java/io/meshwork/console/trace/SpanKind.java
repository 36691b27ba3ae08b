package io.meshwork.console.trace;

/** Span kinds in OTLP's numbering; {@link #jaegerName()} is the {@code span.kind} tag value. */
public enum SpanKind {
  UNSPECIFIED, INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER;

  /** The OTLP enum number to kind; unknown numbers become {@link #UNSPECIFIED}. */
  public static SpanKind ofOtlp(int n) {
    return n >= 0 && n < ALL.length ? ALL[n] : UNSPECIFIED;
  }

  /** values() copies the array on every call; this runs once per span. */
  private static final SpanKind[] ALL = values();

  /** Zipkin's kind names (CLIENT, SERVER, ...); absent means a local span. */
  public static SpanKind ofZipkin(String s) {
    if (s == null) {
      return UNSPECIFIED;
    }
    return switch (s.toUpperCase(java.util.Locale.ROOT)) {
      case "CLIENT" -> CLIENT;
      case "SERVER" -> SERVER;
      case "PRODUCER" -> PRODUCER;
      case "CONSUMER" -> CONSUMER;
      default -> UNSPECIFIED;
    };
  }

  /** Jaeger's lower-case name, or the empty string for unspecified (Jaeger omits the tag then). */
  public String jaegerName() {
    return this == UNSPECIFIED ? "" : name().toLowerCase(java.util.Locale.ROOT);
  }
}
