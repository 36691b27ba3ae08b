package io.meshwork.console.ingest;

import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanKind;
import io.meshwork.console.trace.SpanLog;
import io.meshwork.console.trace.SpanRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects one OTLP span's fields (from protobuf or JSON) and maps them the way Jaeger's OTLP
 * receiver does: parent id becomes a CHILD_OF reference, status ERROR becomes {@code error=true}
 * plus {@code otel.status_code}, the scope becomes {@code otel.scope.name}/{@code .version}.
 */
final class OtlpSpanBuilder {
  private final String service;
  private final Map<String, Object> resource;
  String traceId;
  String spanId;
  String parentSpanId;
  String name = "";
  SpanKind kind = SpanKind.UNSPECIFIED;
  long startNanos;
  long endNanos;
  int statusCode;
  String statusMessage;
  final Map<String, Object> tags = new LinkedHashMap<>();
  final List<SpanLog> logs = new ArrayList<>();
  final List<SpanRef> links = new ArrayList<>();

  OtlpSpanBuilder(String service, Map<String, Object> resource) {
    this.service = service;
    this.resource = resource;
  }

  void scope(String scopeName, String version) {
    if (scopeName != null && !scopeName.isEmpty()) {
      tags.put("otel.scope.name", scopeName);
    }
    if (version != null && !version.isEmpty()) {
      tags.put("otel.scope.version", version);
    }
  }

  Span build() {
    if (traceId == null || traceId.isEmpty() || spanId == null || spanId.isEmpty()) {
      throw new IllegalArgumentException("an OTLP span has no traceId or spanId");
    }
    if (statusCode == 2) {
      tags.put("otel.status_code", "ERROR");
      tags.put("error", true);
    } else if (statusCode == 1) {
      tags.put("otel.status_code", "OK");
    }
    if (statusMessage != null && !statusMessage.isEmpty()) {
      tags.put("otel.status_description", statusMessage);
    }
    if (kind != SpanKind.UNSPECIFIED) {
      tags.put("span.kind", kind.jaegerName());
    }
    var refs = new ArrayList<SpanRef>();
    if (parentSpanId != null && !parentSpanId.isEmpty() && !io.meshwork.console.trace.Ids.isZero(parentSpanId)) {
      refs.add(new SpanRef("CHILD_OF", traceId, parentSpanId));
    }
    refs.addAll(links);
    long duration = Math.max(0, endNanos - startNanos) / 1000;
    return new Span(traceId, spanId, parentSpanId, name, kind, startNanos / 1000, duration, service, tags, resource, logs, refs);
  }

  static String listToString(List<Object> items) {
    var sb = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      Object o = items.get(i);
      sb.append(o instanceof String s ? '"' + s + '"' : String.valueOf(o));
    }
    return sb.append(']').toString();
  }
}
