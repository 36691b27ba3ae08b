package io.meshwork.config.security;

import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;

/**
 * Istio's {@code istio.type.v1beta1.PolicyTargetReference}: attaches a policy to a Service,
 * ServiceEntry, Gateway API Gateway or GatewayClass instead of selecting workloads by label. The
 * namespace and allowed-kind rules are checked by {@link PolicyTargets} together with the
 * policy's other selection fields.
 */
public record PolicyTargetReference(
    @MaxLength(253) @Pattern("^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$") String group,
    @Required @MinLength(1) @MaxLength(63) @Pattern("^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$") String kind,
    @Required @MinLength(1) @MaxLength(253) String name,
    String namespace) {

  /** The group with the core group spelled {@code core}, as Istio compares it. */
  public String canonicalGroup() {
    return group == null || group.isEmpty() ? "core" : group;
  }
}
