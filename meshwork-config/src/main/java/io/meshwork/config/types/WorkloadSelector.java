package io.meshwork.config.types;

import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * Istio's {@code istio.type.v1beta1.WorkloadSelector}: the pods/VMs a policy applies to, by exact
 * label match. Shared by DestinationRule and the security and telemetry kinds (Sidecar and ServiceEntry use the networking selector with {@code labels}). Labels are matched literally, so the
 * CRD rejects wildcards and empty keys.
 */
public record WorkloadSelector(@MaxProperties(4096) Map<String, @MaxLength(63) String> matchLabels) implements Validatable {

  public WorkloadSelector {
    matchLabels = matchLabels == null ? Map.of() : matchLabels;
  }

  @Override
  public void validate(Validation v) {
    var labels = v.at("matchLabels");
    boolean wildcardKey = false;
    boolean emptyKey = false;
    for (var e : matchLabels.entrySet()) {
      wildcardKey |= e.getKey().contains("*");
      emptyKey |= e.getKey().isEmpty();
      if (e.getValue().contains("*")) {
        v.invalid(labels.key(e.getKey()), e.getValue(), "wildcard not allowed in label value match");
      }
    }
    if (wildcardKey) {
      v.invalid(labels, new Object(), "wildcard not allowed in label key match");
    }
    if (emptyKey) {
      v.invalid(labels, new Object(), "key must not be empty");
    }
    if (matchLabels.isEmpty()) {
      v.warn(v.path(), "workload selector specified without labels: it selects every workload in the namespace");
    }
  }

  /** Whether a workload with these labels is selected (every selector label present with the same value). */
  public boolean matches(Map<String, String> labels) {
    return selects(matchLabels, labels);
  }

  /** Whether {@code selector} (exact label match, Istio's rule for every workload selector) selects a workload with {@code labels}. */
  public static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
