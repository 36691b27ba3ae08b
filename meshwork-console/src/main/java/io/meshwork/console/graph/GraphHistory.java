package io.meshwork.console.graph;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The side panel's charts: one node's or edge's rates, error share and p95 at evenly spaced points
 * of the window, each computed by building the graph at that instant over a short rate window.
 * Going through the graph keeps the numbers identical to what the graph shows, on either back end.
 */
final class GraphHistory {
  private GraphHistory() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> of(GraphBuilder builder, List<String> namespaces, GraphType type, boolean inject, Duration window,
      String id, Instant now, int points) {
    Duration step = window.dividedBy(points);
    Duration rateWindow = step.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : step;
    var out = new ArrayList<Map<String, Object>>();
    for (int k = 1; k <= points; k++) {
      Instant at = now.minus(window).plus(step.multipliedBy(k));
      var elements = (Map<String, Object>) builder.build(namespaces, type, rateWindow, inject, at).get("elements");
      var p = new LinkedHashMap<String, Object>();
      p.put("t", at.toEpochMilli());
      double p95 = Double.NaN;
      for (var e : (List<Map<String, Object>>) elements.get("edges")) {
        var d = (Map<String, Object>) e.get("data");
        boolean isIt = id.equals(d.get("id"));
        if ((isIt || id.equals(d.get("target"))) && d.get("responseTime") != null) {
          p95 = Math.max(Double.isNaN(p95) ? 0 : p95, Double.parseDouble((String) d.get("responseTime")));
        }
        if (isIt) {
          var traffic = (Map<String, Object>) d.get("traffic");
          var rates = (Map<String, String>) traffic.get("rates");
          p.put("rate", Double.parseDouble(rates.getOrDefault((String) traffic.get("protocol"), "0")));
          p.put("errPct", Double.parseDouble(rates.getOrDefault(traffic.get("protocol") + "PercentErr", "0")));
        }
      }
      for (var n : (List<Map<String, Object>>) elements.get("nodes")) {
        var d = (Map<String, Object>) n.get("data");
        if (id.equals(d.get("id")) && d.get("traffic") != null) {
          for (var t : (List<Map<String, Object>>) d.get("traffic")) {
            ((Map<String, String>) t.get("rates")).forEach((k2, v) -> {
              if (k2.endsWith("In") || k2.endsWith("Out")) {
                p.put(k2, Double.parseDouble(v));
              }
            });
          }
        }
      }
      if (!Double.isNaN(p95)) {
        p.put("p95", p95);
      }
      out.add(p);
    }
    return Map.of("id", id, "stepSeconds", step.toSeconds(), "points", out);
  }
}
