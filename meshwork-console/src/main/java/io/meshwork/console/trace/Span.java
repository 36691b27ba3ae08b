package io.meshwork.console.trace;

import java.util.List;
import java.util.Map;

/**
 * One span, normalized from OTLP or Zipkin. Ids are lowercase hex (64-bit trace ids as 16 chars,
 * 128-bit as 32, like Jaeger prints them); times are microseconds since the epoch. Tag values are
 * String, Long, Double or Boolean, which map one-to-one onto Jaeger's tag types.
 */
public record Span(
    String traceId,
    String spanId,
    String parentSpanId,
    String name,
    SpanKind kind,
    long startMicros,
    long durationMicros,
    String service,
    Map<String, Object> tags,
    Map<String, Object> processTags,
    List<SpanLog> logs,
    List<SpanRef> links) {

  public Span {
    traceId = Ids.normalize(traceId);
    spanId = Ids.normalize(spanId);
    parentSpanId = parentSpanId == null || parentSpanId.isEmpty() || Ids.isZero(parentSpanId) ? null : Ids.normalize(parentSpanId);
    service = service == null || service.isEmpty() ? "unknown_service" : service;
    kind = kind == null ? SpanKind.UNSPECIFIED : kind;
    tags = tags == null ? Map.of() : tags;
    processTags = processTags == null ? Map.of() : processTags;
    logs = logs == null ? List.of() : logs;
    links = links == null ? List.of() : links;
  }

  /** A rough heap size, used only to enforce the store's memory cap. */
  public long estimatedBytes() {
    long n = 160 + 2L * (name.length() + service.length());
    for (var e : tags.entrySet()) {
      // Numbers and booleans count as 8 chars: formatting them here cost more than the rest of the append.
      n += 48 + 2L * (e.getKey().length() + (e.getValue() instanceof String v ? v.length() : 8));
    }
    n += 48L * processTags.size() + 96L * logs.size() + 64L * links.size();
    return n;
  }

  /** True when the span carries an error mark (OTLP status ERROR or an {@code error} tag). */
  public boolean isError() {
    Object e = tags.get("error");
    return Boolean.TRUE.equals(e) || "true".equals(e);
  }
}
