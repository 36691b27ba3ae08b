package io.meshwork.proxy.tracing;

/**
 * A position in a trace: the trace id (32 lower-case hex digits; a 64-bit B3 id is padded on the
 * left with zeros, which is how W3C and Zipkin treat it), the span id (16 hex digits) of the
 * caller's span, the sampling decision and the W3C {@code tracestate} to pass on (null: none).
 */
public record TraceContext(String traceId, String spanId, Sampled sampled, String traceState) {

  /** A sampling decision as carried on the wire; DEBUG is B3's "d" (forced). */
  public enum Sampled {
    UNDECIDED, SAMPLED, NOT_SAMPLED, DEBUG;

    public boolean isDecided() {
      return this != UNDECIDED;
    }

    public boolean isSampled() {
      return this == SAMPLED || this == DEBUG;
    }
  }

  /** The same context with another decision. */
  public TraceContext withSampled(Sampled s) {
    return new TraceContext(traceId, spanId, s, traceState);
  }
}
