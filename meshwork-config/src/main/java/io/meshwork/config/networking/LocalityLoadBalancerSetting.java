package io.meshwork.config.networking;

import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Locality-aware load balancing: explicit traffic distribution between localities
 * ({@code region/zone/subzone}, a {@code *} allowed at the end), or failover between regions,
 * optionally ordered by label priority ({@code failoverPriority}).
 */
public record LocalityLoadBalancerSetting(
    List<Distribute> distribute,
    List<Failover> failover,
    List<String> failoverPriority,
    Boolean enabled) implements Validatable {

  /** Topology labels that duplicate what {@code failover} already orders by. */
  static final Set<String> TOPOLOGY_LABELS = Set.of("topology.kubernetes.io/region", "topology.kubernetes.io/zone",
      "topology.istio.io/subzone");

  /** From {@code from}, send traffic to the localities of {@code to} by weight (1..100 each, summing to 100). */
  public record Distribute(String from, Map<String, Long> to) {}

  /** When region {@code from} has no healthy endpoints, use region {@code to}. */
  public record Failover(String from, String to) {}

  @Override
  public void validate(Validation v) {
    if (!distribute.isEmpty() && !failover.isEmpty()) {
      v.invalidObject("can not simultaneously specify 'distribute' and 'failover'");
      return;
    }
    if (!failover.isEmpty()) {
      for (int i = 0; i < failoverPriority.size(); i++) {
        if (TOPOLOGY_LABELS.contains(failoverPriority.get(i))) {
          v.invalid(v.at("failoverPriority").index(i), failoverPriority.get(i),
              "can not simultaneously set 'failover' and topology label '" + failoverPriority.get(i) + "' in 'failover_priority'");
        }
      }
    }
    var sources = new ArrayList<String>();
    for (int i = 0; i < distribute.size(); i++) {
      var d = distribute.get(i);
      var p = v.at("distribute").index(i);
      sources.add(d.from() == null ? "" : d.from());
      long total = 0;
      for (var e : d.to().entrySet()) {
        if (e.getValue() <= 0 || e.getValue() > 100) {
          v.invalid(p.child("to").key(e.getKey()), e.getValue(), "locality weight must be in range [1, 100]");
          return;
        }
        total += e.getValue();
      }
      if (total != 100) {
        v.invalid(p.child("to"), total, "total locality weight " + total + " != 100");
        return;
      }
      checkLocalities(v, p.child("to"), new ArrayList<>(d.to().keySet()));
    }
    checkLocalities(v, v.at("distribute"), sources);
    for (int i = 0; i < failover.size(); i++) {
      var f = failover.get(i);
      var p = v.at("failover").index(i);
      var from = f.from() == null ? "" : f.from();
      var to = f.to() == null ? "" : f.to();
      if (from.equals(to)) {
        v.invalid(p, from, "locality lb failover settings must specify different regions");
      }
      if (from.contains("/") || to.contains("/")) {
        v.invalid(p, from + " -> " + to, "locality lb failover only specify region");
      }
      if (from.contains("*") || to.contains("*")) {
        v.invalid(p, from + " -> " + to, "locality lb failover region should not contain '*' wildcard");
      }
    }
  }

  /** Localities must be well formed and must not overlap (Istio's validateLocalities). */
  private static void checkLocalities(Validation v, FieldPath p, List<String> localities) {
    Map<String, Map<String, Set<String>>> seen = new HashMap<>();
    for (var locality : localities) {
      long stars = locality.chars().filter(c -> c == '*').count();
      if (stars > 1 || (stars == 1 && !locality.endsWith("*"))) {
        v.invalid(p, locality, "locality " + locality + " wildcard '*' number can not exceed 1 and must be in the end");
        return;
      }
      if (seen.containsKey("*")) {
        v.invalid(p, locality, "locality " + locality + " overlap with previous specified ones");
        return;
      }
      var parts = locality.split("/", 3);
      for (var part : parts) {
        if (part.isEmpty()) {
          v.invalid(p, locality, "locality " + locality + " must not contain empty region/zone/subzone info");
          return;
        }
      }
      var region = parts[0];
      var zones = seen.get(region);
      boolean overlap = switch (parts.length) {
        case 1 -> zones != null;
        case 2 -> zones != null && (zones.containsKey("*") || zones.containsKey(parts[1]));
        default -> zones != null && (zones.containsKey("*")
            || (zones.containsKey(parts[1]) && (zones.get(parts[1]).contains("*") || zones.get(parts[1]).contains(parts[2]))));
      };
      if (overlap) {
        v.invalid(p, locality, "locality " + locality + " overlap with previous specified ones");
        return;
      }
      switch (parts.length) {
        case 1 -> seen.put(region, new HashMap<>(Map.of("*", new java.util.HashSet<>(Set.of("*")))));
        case 2 -> seen.computeIfAbsent(region, r -> new HashMap<>()).put(parts[1], new java.util.HashSet<>(Set.of("*")));
        default -> seen.computeIfAbsent(region, r -> new HashMap<>()).computeIfAbsent(parts[1], z -> new java.util.HashSet<>()).add(parts[2]);
      }
    }
  }
}
