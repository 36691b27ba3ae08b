package io.meshwork.config.kube;

import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.IntOrString;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The spec of a Kubernetes Service: the registry turns it into a mesh service (host
 * {@code name.namespace.svc.cluster.local}) whose endpoints are the pods its selector matches.
 * Fields the registry does not use are ignored.
 */
@Lenient
public record ServiceSpec(
    Map<String, String> selector,
    List<ServicePort> ports,
    Type type,
    String clusterIP,
    List<String> clusterIPs,
    String externalName,
    List<String> externalIPs,
    String sessionAffinity,
    List<String> ipFamilies,
    String ipFamilyPolicy,
    String internalTrafficPolicy,
    String externalTrafficPolicy,
    Boolean publishNotReadyAddresses) implements Validatable {

  /** How the Service is exposed. */
  public enum Type {
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName
  }

  /**
   * A service port. {@code appProtocol} (or the name's {@code http-}/{@code grpc-} prefix, Istio's
   * convention) tells the mesh which protocol to expect.
   *
   * @param targetPort the pod port, by number or container port name; {@code port} when absent
   */
  @Lenient
  public record ServicePort(
      String name,
      Protocol protocol,
      String appProtocol,
      @Required @Port Integer port,
      IntOrString targetPort,
      Integer nodePort) implements Validatable {

    /** The pod port, which is {@code port} when targetPort is absent. */
    public IntOrString effectiveTargetPort() {
      return targetPort != null ? targetPort : IntOrString.of(port);
    }

    @Override
    public void validate(Validation v) {
      KubeNames.checkPort(v, v.at("targetPort"), targetPort);
      if (name != null && !name.isEmpty() && (name.length() > 63 || !name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"))) {
        v.invalid(v.at("name"), name, "a port name must consist of lower case alphanumeric characters or '-'");
      }
    }
  }

  public boolean headless() {
    return "None".equals(clusterIP);
  }

  @Override
  public void validate(Validation v) {
    if (type == Type.ExternalName) {
      if (externalName == null || externalName.isEmpty()) {
        v.required(v.at("externalName"), "an ExternalName service must name the external host");
      }
      return;
    }
    if (ports.isEmpty() && !headless()) {
      v.required(v.at("ports"), "a Service needs at least one port (or clusterIP: None)");
    }
    var names = new HashSet<String>();
    for (int i = 0; i < ports.size(); i++) {
      var p = ports.get(i);
      var path = v.at("ports").index(i);
      if (ports.size() > 1 && (p.name() == null || p.name().isEmpty())) {
        v.required(path.child("name"), "every port of a Service with several ports needs a name");
      } else if (p.name() != null && !names.add(p.name())) {
        v.duplicate(path.child("name"), p.name());
      }
    }
  }
}
