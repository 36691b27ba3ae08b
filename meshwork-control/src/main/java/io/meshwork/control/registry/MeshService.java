package io.meshwork.control.registry;

import java.util.List;
import java.util.Map;

/**
 * A service the mesh routes to: a Kubernetes Service or one host of a ServiceEntry.
 *
 * @param hostname fully qualified ({@code reviews.default.svc.cluster.local})
 * @param namespace the namespace of the resource that declares it
 * @param ports its ports
 * @param selector workload labels it selects (null: endpoints are given inline or by DNS)
 * @param resolution {@code STATIC} (endpoints from the registry), {@code DNS}, {@code NONE}
 * @param external whether the service is outside the mesh (ServiceEntry MESH_EXTERNAL)
 * @param addresses VIPs (clusterIP, ServiceEntry addresses)
 * @param exportTo namespaces that see it ({@code *} all, {@code .} own)
 * @param staticEndpoints endpoints given by the declaring resource (ServiceEntry endpoints), by service port
 * @param source {@code Kind/ns/name} of the declaring resource
 */
public record MeshService(
    String hostname,
    String namespace,
    List<ServicePortInfo> ports,
    Map<String, String> selector,
    String resolution,
    boolean external,
    List<String> addresses,
    List<String> exportTo,
    Map<Integer, List<Endpoint>> staticEndpoints,
    String source) {

  public ServicePortInfo port(int number) {
    return ports.stream().filter(p -> p.number() == number).findFirst().orElse(null);
  }

  /** Whether a proxy in namespace {@code ns} may see this service. */
  public boolean visibleFrom(String ns) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    return exportTo.contains(ns) || (exportTo.contains(".") && ns.equals(namespace));
  }
}
