package io.meshwork.console.trace;

import java.util.Map;

/** A timed annotation on a span (OTLP event, Zipkin annotation, Jaeger log). */
public record SpanLog(long timestampMicros, Map<String, Object> fields) {}
