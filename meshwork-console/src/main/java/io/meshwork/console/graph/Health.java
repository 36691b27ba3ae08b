package io.meshwork.console.graph;

import java.util.Map;

/**
 * Kiali's default request-health thresholds: HTTP 5xx above 0 % degraded, at least 10 % failure;
 * 4xx at least 10 % degraded, at least 20 % failure; gRPC errors above 0 % degraded, at least 10 %
 * failure. No traffic is "NA".
 */
public final class Health {
  private Health() {}

  /** Status for a map protocol -> response code -> rate. */
  public static String status(Map<String, Map<String, Double>> requests) {
    int level = -1;
    for (var p : requests.entrySet()) {
      double total = 0;
      double c4 = 0;
      double c5 = 0;
      for (var c : p.getValue().entrySet()) {
        total += c.getValue();
        if (p.getKey().equals("grpc")) {
          if (!c.getKey().equals("0")) {
            c5 += c.getValue();
          }
        } else if (c.getKey().startsWith("5") || c.getKey().equals("0")) {
          c5 += c.getValue();
        } else if (c.getKey().startsWith("4")) {
          c4 += c.getValue();
        }
      }
      if (total <= 0) {
        continue;
      }
      double p5 = 100 * c5 / total;
      double p4 = 100 * c4 / total;
      int l = p5 >= 10 || (!p.getKey().equals("grpc") && p4 >= 20) ? 2 : p5 > 0 || p4 >= 10 ? 1 : 0;
      level = Math.max(level, l);
    }
    return switch (level) {
      case -1 -> "NA";
      case 0 -> "Healthy";
      case 1 -> "Degraded";
      default -> "Failure";
    };
  }
}
