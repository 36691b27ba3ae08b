package io.meshwork.console.jaeger;

import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.SpanRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders traces in Jaeger's UI model: spans reference processes by id ({@code p1}, {@code p2},
 * one per distinct service and process tags), tags are {@code {key, type, value}} with Jaeger's
 * type names, and times are microseconds.
 */
public final class JaegerJson {
  private JaegerJson() {}

  /** One trace as Jaeger's {@code {traceID, spans, processes, warnings}}. */
  public static Map<String, Object> trace(List<Span> spans) {
    var processes = new LinkedHashMap<String, Map<String, Object>>();
    var processIds = new LinkedHashMap<List<Object>, String>();
    var out = new ArrayList<Map<String, Object>>(spans.size());
    for (Span s : spans) {
      List<Object> key = List.of(s.service(), s.processTags());
      String pid = processIds.computeIfAbsent(key, k -> {
        String id = "p" + (processIds.size() + 1);
        var p = new LinkedHashMap<String, Object>();
        p.put("serviceName", s.service());
        p.put("tags", tags(s.processTags()));
        processes.put(id, p);
        return id;
      });
      out.add(span(s, pid));
    }
    var t = new LinkedHashMap<String, Object>();
    t.put("traceID", spans.isEmpty() ? "" : spans.getFirst().traceId());
    t.put("spans", out);
    t.put("processes", processes);
    t.put("warnings", null);
    return t;
  }

  private static Map<String, Object> span(Span s, String processId) {
    var m = new LinkedHashMap<String, Object>();
    m.put("traceID", s.traceId());
    m.put("spanID", s.spanId());
    m.put("flags", 1);
    m.put("operationName", s.name());
    var refs = new ArrayList<Map<String, Object>>();
    for (SpanRef r : s.links()) {
      refs.add(Map.of("refType", r.type(), "traceID", r.traceId(), "spanID", r.spanId()));
    }
    m.put("references", refs);
    m.put("startTime", s.startMicros());
    m.put("duration", s.durationMicros());
    m.put("tags", tags(s.tags()));
    var logs = new ArrayList<Map<String, Object>>();
    for (var l : s.logs()) {
      logs.add(Map.of("timestamp", l.timestampMicros(), "fields", tags(l.fields())));
    }
    m.put("logs", logs);
    m.put("processID", processId);
    m.put("warnings", null);
    return m;
  }

  /** Tags as Jaeger's key/type/value list. */
  static List<Map<String, Object>> tags(Map<String, Object> tags) {
    var out = new ArrayList<Map<String, Object>>(tags.size());
    tags.forEach((k, v) -> {
      String type = switch (v) {
        case Boolean b -> "bool";
        case Long l -> "int64";
        case Integer i -> "int64";
        case Double d -> "float64";
        default -> "string";
      };
      var tag = new LinkedHashMap<String, Object>();
      tag.put("key", k);
      tag.put("type", type);
      tag.put("value", v instanceof Number || v instanceof Boolean ? v : String.valueOf(v));
      out.add(tag);
    });
    return out;
  }

  /** Jaeger's response envelope. */
  public static Map<String, Object> envelope(Object data, int total) {
    var m = new LinkedHashMap<String, Object>();
    m.put("data", data);
    m.put("total", total);
    m.put("limit", 0);
    m.put("offset", 0);
    m.put("errors", null);
    return m;
  }

  /** Jaeger's error envelope: {@code {data: null, errors: [{code, msg}]}}. */
  public static Map<String, Object> error(int code, String msg) {
    var m = envelope(null, 0);
    m.put("errors", List.of(Map.of("code", code, "msg", msg)));
    return m;
  }
}
