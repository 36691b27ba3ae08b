package io.meshwork.config.kube;

import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.Required;
import java.util.List;

/**
 * A Kubernetes Pod as read from a manifest or the API: spec and, when present, status (the
 * registry uses a running pod's IP and readiness as an endpoint). Bound from the whole object,
 * hence a record with {@code spec} and {@code status} rather than the spec alone.
 */
@Lenient
public record Pod(@Required PodSpec spec, PodStatus status) {

  /** What the kubelet reports. */
  @Lenient
  public record PodStatus(String phase, String podIP, List<PodIP> podIPs, String hostIP, List<PodCondition> conditions) {

    /** Whether the pod is Running with condition Ready=True. */
    public boolean ready() {
      return "Running".equals(phase) && conditions.stream().anyMatch(c -> "Ready".equals(c.type()) && "True".equals(c.status()));
    }
  }

  /** One of a pod's IPs. */
  @Lenient
  public record PodIP(String ip) {}

  /** A pod condition ({@code Ready}, {@code ContainersReady}, ...). */
  @Lenient
  public record PodCondition(String type, String status, String reason, String message) {}
}
