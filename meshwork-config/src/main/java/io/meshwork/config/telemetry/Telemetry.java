package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.security.PolicyTargetReference;
import io.meshwork.config.security.PolicyTargets;
import io.meshwork.config.types.WorkloadSelector;
import java.util.List;

/**
 * telemetry.istio.io Telemetry: tracing, metrics and access logging for the mesh (in the root
 * namespace), a namespace, or selected workloads; narrower scopes override wider ones.
 *
 * @param selector workloads by label (at most one of selector, targetRef, targetRefs)
 * @param targetRef deprecated single form of targetRefs
 * @param targetRefs the Services or Gateways the configuration attaches to
 * @param tracing span reporting and sampling
 * @param metrics metric providers and per-metric overrides
 * @param accessLogging access log providers and filters
 */
public record Telemetry(
    WorkloadSelector selector,
    PolicyTargetReference targetRef,
    @MaxItems(16) List<PolicyTargetReference> targetRefs,
    List<Tracing> tracing,
    List<Metrics> metrics,
    List<AccessLogging> accessLogging) implements Validatable {

  @Override
  public void validate(Validation v) {
    PolicyTargets.check(v, selector, targetRef, targetRefs);
  }
}
