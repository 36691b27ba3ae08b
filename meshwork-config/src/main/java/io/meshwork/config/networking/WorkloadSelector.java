package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/** Selects the workloads (pods, VMs) a DestinationRule or Sidecar applies to, by label. */
public record WorkloadSelector(@MaxProperties(4096) Map<String, String> matchLabels) implements Validatable {
  @Override
  public void validate(Validation v) {
    NetRules.checkSelectorLabels(v, v.at("matchLabels"), matchLabels);
    if (matchLabels.isEmpty()) {
      v.warn(v.path(), "workload selector specified without labels: it selects every workload in the namespace");
    }
  }
}
