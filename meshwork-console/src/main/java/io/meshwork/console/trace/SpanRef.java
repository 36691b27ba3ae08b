package io.meshwork.console.trace;

/** A reference to another span; {@code type} is Jaeger's CHILD_OF or FOLLOWS_FROM. */
public record SpanRef(String type, String traceId, String spanId) {
  public SpanRef {
    traceId = Ids.normalize(traceId);
    spanId = Ids.normalize(spanId);
  }
}
