package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/**
 * Locality-aware load balancing: either explicit traffic distribution between localities
 * ({@code region/zone/subzone}, {@code *} wildcards at the end) or failover between regions,
 * optionally ordered by label priority.
 */
public record LocalityLoadBalancerSetting(
    List<Distribute> distribute,
    List<Failover> failover,
    List<String> failoverPriority,
    Boolean enabled) implements Validatable {

  /** From {@code from}, send traffic to the localities of {@code to} by weight (the weights sum to 100). */
  public record Distribute(String from, Map<String, Integer> to) {}

  /** When region {@code from} has no healthy endpoints, use region {@code to}. */
  public record Failover(String from, String to) {}

  @Override
  public void validate(Validation v) {
    if (!distribute.isEmpty() && !failover.isEmpty()) {
      v.invalidObject("can not simultaneously set 'distribute' and 'failover'");
    }
    for (int i = 0; i < distribute.size(); i++) {
      var d = distribute.get(i);
      var p = v.at("distribute").index(i);
      checkLocality(v, p.child("from"), d.from());
      long total = 0;
      for (var e : d.to().entrySet()) {
        checkLocality(v, p.child("to").key(e.getKey()), e.getKey());
        if (e.getValue() < 0) {
          v.invalid(p.child("to").key(e.getKey()), e.getValue(), "locality weight must not be negative");
        }
        total += e.getValue();
      }
      if (total != 100) {
        v.invalid(p.child("to"), total, "total load balancing weight should be 100");
      }
    }
    for (int i = 0; i < failover.size(); i++) {
      var f = failover.get(i);
      var p = v.at("failover").index(i);
      if (f.from() == null || f.from().isEmpty() || f.to() == null || f.to().isEmpty()) {
        v.required(p, "locality lb failover settings must set both from and to regions");
      } else if (f.from().equals(f.to())) {
        v.invalid(p, f.from(), "locality lb failover settings must specify different regions");
      } else if (f.from().contains("/") || f.to().contains("/")) {
        v.invalid(p, f.from() + " -> " + f.to(), "locality lb failover only specify region");
      }
    }
    for (int i = 0; i < failoverPriority.size(); i++) {
      if (failoverPriority.get(i).isEmpty()) {
        v.invalid(v.at("failoverPriority").index(i), "", "failoverPriority labels cannot be empty");
      }
    }
  }

  private static void checkLocality(Validation v, io.meshwork.config.schema.FieldPath p, String locality) {
    if (locality == null || locality.isEmpty()) {
      v.required(p, "locality is required");
      return;
    }
    var parts = locality.split("/", -1);
    if (parts.length > 3) {
      v.invalid(p, locality, "locality must be region, region/zone or region/zone/subzone");
      return;
    }
    for (int i = 0; i < parts.length; i++) {
      var part = parts[i];
      if (part.isEmpty() || (part.contains("*") && (!part.equals("*") || i != parts.length - 1))) {
        v.invalid(p, locality, "locality parts cannot be empty, and '*' may only be the whole last part");
        return;
      }
    }
  }
}
