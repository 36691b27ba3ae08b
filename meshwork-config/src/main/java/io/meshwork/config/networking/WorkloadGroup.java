package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * The template for WorkloadEntries that VMs register themselves with (networking.istio.io
 * WorkloadGroup): labels and annotations to copy, the entry template, and the readiness probe
 * the proxy runs for them.
 */
public record WorkloadGroup(ObjectMetadata metadata, @Required WorkloadEntry template, ReadinessProbe probe) {

  /** Labels and annotations copied onto the generated WorkloadEntries. */
  public record ObjectMetadata(@MaxProperties(256) Map<String, String> labels, @MaxProperties(256) Map<String, String> annotations)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      NetRules.checkLabels(v, v.at("labels"), labels);
    }
  }
}
