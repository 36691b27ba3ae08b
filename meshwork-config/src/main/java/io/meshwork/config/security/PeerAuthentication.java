package io.meshwork.config.security;

import io.meshwork.config.types.WorkloadSelector;
import io.meshwork.config.schema.Constraints.MinProperties;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * security.istio.io PeerAuthentication: whether a workload (or namespace, or the mesh) accepts
 * plain text, mutual TLS, or both; per port when {@code portLevelMtls} is given, which needs a
 * workload selector because ports only make sense for concrete workloads.
 *
 * @param selector the workloads; absent for a namespace- or mesh-wide policy
 * @param mtls the mode for all ports
 * @param portLevelMtls overrides by workload port number
 */
public record PeerAuthentication(
    WorkloadSelector selector,
    MutualTLS mtls,
    @MinProperties(1) Map<Integer, MutualTLS> portLevelMtls) implements Validatable {

  /** The mutual TLS setting of a port or workload. */
  public record MutualTLS(Mode mode) {}

  /** Istio's PeerAuthentication.MutualTLS.Mode; UNSET inherits from the parent scope. */
  public enum Mode {
    UNSET,
    DISABLE,
    PERMISSIVE,
    STRICT
  }

  @Override
  public void validate(Validation v) {
    for (var port : portLevelMtls.keySet()) {
      if (port < 1 || port > 65535) {
        v.invalid(v.at("portLevelMtls").key(Integer.toUnsignedString(port)), Integer.toUnsignedLong(port), "port must be between 1-65535");
      }
    }
    boolean emptySelector = selector == null || selector.matchLabels().isEmpty();
    if (!portLevelMtls.isEmpty() && emptySelector) {
      v.invalidObject("portLevelMtls requires selector");
    }
  }
}
