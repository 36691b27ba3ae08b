package io.meshwork.config.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/**
 * The spec of an apps/v1 Deployment: how many pods of which template. The local registry runs
 * {@code replicas} instances of it; the selector must match the template's labels.
 */
@Lenient
public record DeploymentSpec(
    @Min(0) Integer replicas,
    @Required LabelSelector selector,
    @Required PodTemplateSpec template,
    JsonNode strategy,
    Integer minReadySeconds,
    Integer revisionHistoryLimit,
    Boolean paused,
    Integer progressDeadlineSeconds) implements Validatable {

  /** The replica count, 1 when absent. */
  public int effectiveReplicas() {
    return replicas == null ? 1 : replicas;
  }

  @Override
  public void validate(Validation v) {
    if (selector.isEmpty()) {
      v.invalid(v.at("selector"), new Object(), "empty selector is invalid for deployment");
    } else if (!selector.matches(template.labels())) {
      v.invalid(v.at("template").child("metadata").child("labels"), template.labels(), "`selector` does not match template `labels`");
    }
  }
}
