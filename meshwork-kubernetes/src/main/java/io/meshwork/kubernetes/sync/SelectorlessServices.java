package io.meshwork.kubernetes.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.meshwork.config.HostNames;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.registry.ServicePortInfo;
import java.util.HashMap;
import java.util.Map;

/**
 * Services with a selector get their endpoints from Pods (the registry matches the selector).
 * A Service without one has endpoints only in the EndpointSlices someone wrote for it (a database
 * outside the cluster, say); such a Service is stored as the equivalent ServiceEntry (same host,
 * VIP and ports, STATIC, one endpoint per ready slice address), which the registry already
 * understands. ExternalName Services are stored as they are (the registry skips them).
 */
final class SelectorlessServices {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final String FROM_SERVICE = "meshwork.io/from-service";

  private final KubeConfigSync sync;
  private final Map<String, Service> services = new HashMap<>();
  private final Map<String, Map<String, EndpointSlice>> slices = new HashMap<>();

  SelectorlessServices(KubeConfigSync sync) {
    this.sync = sync;
  }

  synchronized void serviceChanged(Service s) {
    var key = key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    var selector = s.getSpec().getSelector();
    if ("ExternalName".equals(s.getSpec().getType()) || (selector != null && !selector.isEmpty())) {
      if (services.remove(key) != null) {
        removeEntry(s);
      }
      sync.upsert(s);
      return;
    }
    sync.remove(s, "", "Service");
    services.put(key, s);
    rebuild(key);
  }

  synchronized void serviceDeleted(Service s) {
    var key = key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    if (services.remove(key) != null) {
      removeEntry(s);
    } else {
      sync.remove(s, "", "Service");
    }
  }

  synchronized void sliceChanged(EndpointSlice slice, boolean deleted) {
    var svc = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
    if (svc == null) {
      return;
    }
    var key = key(slice.getMetadata().getNamespace(), svc);
    var byName = slices.computeIfAbsent(key, k -> new HashMap<>());
    if (deleted) {
      byName.remove(slice.getMetadata().getName());
    } else {
      byName.put(slice.getMetadata().getName(), slice);
    }
    if (services.containsKey(key)) {
      rebuild(key);
    }
  }

  private void removeEntry(Service s) {
    sync.remove(s, "networking.istio.io", "ServiceEntry");
  }

  private void rebuild(String key) {
    var s = services.get(key);
    var ns = s.getMetadata().getNamespace();
    var name = s.getMetadata().getName();
    var json = ConfigLoader.JSON.createObjectNode();
    json.put("apiVersion", "networking.istio.io/v1");
    json.put("kind", "ServiceEntry");
    var md = json.putObject("metadata");
    md.put("name", name);
    md.put("namespace", ns);
    md.putObject("annotations").put(FROM_SERVICE, "Service/" + ns + "/" + name);
    var spec = json.putObject("spec");
    spec.putArray("hosts").add(name + "." + ns + ".svc." + HostNames.DEFAULT_DOMAIN);
    var ip = s.getSpec().getClusterIP();
    if (ip != null && !ip.isEmpty() && !"None".equals(ip)) {
      spec.putArray("addresses").add(ip);
    }
    spec.put("location", "MESH_INTERNAL");
    spec.put("resolution", "STATIC");
    var ports = spec.putArray("ports");
    int i = 0;
    for (var p : s.getSpec().getPorts()) {
      var port = ports.addObject();
      port.put("number", p.getPort());
      port.put("name", p.getName() == null || p.getName().isEmpty() ? "port-" + i : p.getName());
      port.put("protocol", ServicePortInfo.protocolOf(p.getAppProtocol(), p.getName()));
      i++;
    }
    var endpoints = spec.putArray("endpoints");
    for (var slice : slices.getOrDefault(key, Map.of()).values()) {
      for (var e : slice.getEndpoints()) {
        if (e.getConditions() != null && Boolean.FALSE.equals(e.getConditions().getReady())) {
          continue;
        }
        for (var addr : e.getAddresses()) {
          ObjectNode ep = endpoints.addObject();
          ep.put("address", addr);
          var epPorts = ep.putObject("ports");
          for (var sp : slice.getPorts()) {
            if (sp.getPort() != null) {
              epPorts.put(sp.getName() == null || sp.getName().isEmpty() ? "port-0" : sp.getName(), sp.getPort());
            }
          }
        }
      }
    }
    sync.upsertTree(s, json);
  }

  private static String key(String ns, String name) {
    return ns + "/" + name;
  }
}
