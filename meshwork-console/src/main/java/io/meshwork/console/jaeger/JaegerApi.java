package io.meshwork.console.jaeger;

import com.fasterxml.jackson.core.type.TypeReference;
import io.meshwork.console.http.Exchange;
import io.meshwork.console.trace.Span;
import io.meshwork.console.trace.TraceQuery;
import io.meshwork.console.trace.TraceStore;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Jaeger's query endpoints. Unknown traces answer 404 with Jaeger's error envelope; malformed
 * parameters answer 400 naming the parameter.
 */
public final class JaegerApi {
  private final TraceStore store;
  private final Clock clock;

  public JaegerApi(TraceStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Handles the request if the path is one of Jaeger's; returns false otherwise. */
  public boolean handle(Exchange ex) throws IOException {
    String p = ex.path();
    try {
      if (p.equals("/api/services")) {
        var s = store.services();
        ex.json(200, JaegerJson.envelope(s, s.size()));
      } else if (p.startsWith("/api/services/") && p.endsWith("/operations")) {
        String svc = URLDecoder.decode(p.substring("/api/services/".length(), p.length() - "/operations".length()), StandardCharsets.UTF_8);
        var ops = List.copyOf(store.operations(svc).keySet());
        ex.json(200, JaegerJson.envelope(ops, ops.size()));
      } else if (p.equals("/api/operations")) {
        operations(ex);
      } else if (p.equals("/api/traces")) {
        ex.json(200, search(ex));
      } else if (p.startsWith("/api/traces/")) {
        var spans = store.trace(p.substring("/api/traces/".length()));
        if (spans.isEmpty()) {
          ex.json(404, JaegerJson.error(404, "trace not found"));
        } else {
          ex.json(200, JaegerJson.envelope(List.of(JaegerJson.trace(spans)), 1));
        }
      } else if (p.equals("/api/dependencies")) {
        dependencies(ex);
      } else {
        return false;
      }
    } catch (IllegalArgumentException e) {
      ex.json(400, JaegerJson.error(400, e.getMessage()));
    }
    return true;
  }

  private void operations(Exchange ex) throws IOException {
    String service = ex.param("service", null);
    if (service == null) {
      throw new IllegalArgumentException("parameter service is required");
    }
    String kind = ex.param("spanKind", "");
    var out = new ArrayList<Map<String, Object>>();
    store.operations(service).forEach((op, kinds) -> kinds.forEach(k -> {
      if (kind.isEmpty() || kind.equals(k.jaegerName())) {
        out.add(Map.of("name", op, "spanKind", k.jaegerName()));
      }
    }));
    ex.json(200, JaegerJson.envelope(out, out.size()));
  }

  private Map<String, Object> search(Exchange ex) {
    var ids = ex.params("traceID");
    if (!ids.isEmpty()) {
      var found = new ArrayList<Object>();
      for (String id : ids) {
        var spans = store.trace(id);
        if (!spans.isEmpty()) {
          found.add(JaegerJson.trace(spans));
        }
      }
      return JaegerJson.envelope(found, found.size());
    }
    long nowMicros = clock.millis() * 1000;
    long end = longParam(ex, "end", 0);
    long start = longParam(ex, "start", 0);
    String lookback = ex.param("lookback", null);
    if (start == 0 && lookback != null && !lookback.equals("custom")) {
      start = (end == 0 ? nowMicros : end) - Durations.micros("lookback", lookback);
    }
    var q = new TraceQuery(ex.param("service", null), ex.param("operation", null), tags(ex),
        durationParam(ex, "minDuration"), durationParam(ex, "maxDuration"), start, end, (int) longParam(ex, "limit", 20));
    var out = new ArrayList<Object>();
    for (List<Span> t : store.find(q)) {
      out.add(JaegerJson.trace(t));
    }
    return JaegerJson.envelope(out, out.size());
  }

  private static Map<String, String> tags(Exchange ex) {
    var tags = new LinkedHashMap<String, String>();
    String json = ex.param("tags", null);
    if (json != null) {
      try {
        Map<String, Object> m = Exchange.JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
        m.forEach((k, v) -> tags.put(k, String.valueOf(v)));
      } catch (IOException e) {
        throw new IllegalArgumentException("parameter tags must be a JSON object such as {\"http.status_code\":\"500\"}");
      }
    }
    for (String kv : ex.params("tag")) {
      int c = kv.indexOf(':');
      if (c <= 0) {
        throw new IllegalArgumentException("parameter tag=" + kv + " must be key:value");
      }
      tags.put(kv.substring(0, c), kv.substring(c + 1));
    }
    return tags;
  }

  private static long durationParam(Exchange ex, String name) {
    String v = ex.param(name, null);
    return v == null ? 0 : Durations.micros(name, v);
  }

  private static long longParam(Exchange ex, String name, long def) {
    String v = ex.param(name, null);
    if (v == null) {
      return def;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter " + name + "=" + v + " must be an integer");
    }
  }

  /** Service call counts from parent/child spans of different services within the window. */
  private void dependencies(Exchange ex) throws IOException {
    long endMs = longParam(ex, "endTs", clock.millis());
    long lookbackMs = longParam(ex, "lookback", 86_400_000L);
    long fromMicros = (endMs - lookbackMs) * 1000;
    long toMicros = endMs * 1000;
    var counts = new TreeMap<String, long[]>();
    for (List<Span> trace : store.all()) {
      var byId = new HashMap<String, Span>();
      for (Span s : trace) {
        byId.putIfAbsent(s.spanId(), s);
      }
      for (Span s : trace) {
        if (s.parentSpanId() == null || s.startMicros() < fromMicros || s.startMicros() > toMicros) {
          continue;
        }
        Span parent = byId.get(s.parentSpanId());
        if (parent != null && !parent.service().equals(s.service())) {
          counts.computeIfAbsent(parent.service() + "\u0000" + s.service(), k -> new long[1])[0]++;
        }
      }
    }
    var out = new ArrayList<Map<String, Object>>();
    counts.forEach((k, v) -> {
      String[] pc = k.split("\u0000");
      out.add(Map.of("parent", pc[0], "child", pc[1], "callCount", v[0]));
    });
    ex.json(200, JaegerJson.envelope(out, out.size()));
  }
}
