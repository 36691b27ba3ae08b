package io.meshwork.console.trace;

import java.util.Map;

/**
 * A trace search as Jaeger defines it: a trace matches when one of its spans has the service (and
 * operation), every tag, a duration within the bounds and a start within [startMicros, endMicros].
 * Zero or negative bounds mean "unbounded".
 */
public record TraceQuery(
    String service,
    String operation,
    Map<String, String> tags,
    long minDurationMicros,
    long maxDurationMicros,
    long startMicros,
    long endMicros,
    int limit) {

  public TraceQuery {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    limit = limit <= 0 ? 20 : limit;
  }

  boolean matches(Span s) {
    if (service != null && !service.isEmpty() && !service.equals(s.service())) {
      return false;
    }
    if (operation != null && !operation.isEmpty() && !operation.equals(s.name())) {
      return false;
    }
    if (minDurationMicros > 0 && s.durationMicros() < minDurationMicros) {
      return false;
    }
    if (maxDurationMicros > 0 && s.durationMicros() > maxDurationMicros) {
      return false;
    }
    if (startMicros > 0 && s.startMicros() < startMicros) {
      return false;
    }
    if (endMicros > 0 && s.startMicros() > endMicros) {
      return false;
    }
    for (var e : tags.entrySet()) {
      if (!tagMatches(s, e.getKey(), e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean tagMatches(Span s, String key, String value) {
    Object v = s.tags().containsKey(key) ? s.tags().get(key) : s.processTags().get(key);
    if (v == null && "span.kind".equals(key)) {
      v = s.kind().jaegerName();
    }
    if (v == null) {
      for (var log : s.logs()) {
        if (log.fields().containsKey(key)) {
          v = log.fields().get(key);
          break;
        }
      }
    }
    return v != null && String.valueOf(v).equals(value);
  }
}
