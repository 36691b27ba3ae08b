package io.meshwork.config.networking;

import io.meshwork.config.types.WorkloadSelector;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Policies for traffic to one service after routing (networking.istio.io DestinationRule): load
 * balancing, connection pools, outlier detection, client TLS, and the named subsets routes refer to.
 */
public record DestinationRule(
    @Required String host,
    TrafficPolicy trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo,
    WorkloadSelector workloadSelector) implements Validatable {

  /** A named group of endpoints selected by labels, with its own traffic policy overrides. */
  public record Subset(@Required String name, Map<String, String> labels, TrafficPolicy trafficPolicy) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (name.isEmpty()) {
        v.invalid("name", name, "subset name cannot be empty");
      } else if (!HostRules.isDns1123Label(name)) {
        v.invalid("name", name, "subset name is invalid: " + name);
      }
      NetRules.checkLabels(v, v.at("labels"), labels);
    }
  }

  @Override
  public void validate(Validation v) {
    var err = HostRules.checkWildcardDomain(host);
    if (err != null) {
      v.invalid("host", host, err);
    }
    var names = new HashSet<String>();
    for (int i = 0; i < subsets.size(); i++) {
      if (!names.add(subsets.get(i).name())) {
        v.invalid(v.at("subsets").index(i).child("name"), subsets.get(i).name(), "duplicate subset names: " + subsets.get(i).name());
      }
    }
    NetRules.checkExportTo(v, exportTo, false, workloadSelector != null);
  }
}
