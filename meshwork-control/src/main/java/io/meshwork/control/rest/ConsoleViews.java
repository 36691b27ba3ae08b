package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.registry.Registry;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;

/**
 * The read-only views the console ({@code meshwork console --control-plane}) polls: which proxies
 * are connected and where their metrics are ({@code /debug/targets}), the whole config in one
 * answer ({@code /debug/configz}, istiod's name for it), and the service registry
 * ({@code /debug/registryz}). One request each instead of one per kind keeps the console's
 * refresh cheap for both sides.
 */
final class ConsoleViews {
  private ConsoleViews() {}

  /**
   * Every connected proxy: id, type, namespace, workload, labels, addresses, and its metrics
   * address. {@code prometheus} is the node's {@code PROMETHEUS_ADDRESS} if it sent one, else its
   * {@code ADMIN_ADDRESS} (the admin interface serves {@code /stats/prometheus} too), else null.
   */
  static ArrayNode targets(List<NodeInfo> nodes) {
    var a = ConfigLoader.JSON.createArrayNode();
    for (var n : nodes) {
      var o = a.addObject();
      o.put("id", n.id());
      o.put("type", n.proxyType());
      o.put("namespace", n.namespace());
      o.put("workload", n.workloadName());
      o.set("labels", ConfigLoader.JSON.valueToTree(n.labels()));
      o.set("ips", ConfigLoader.JSON.valueToTree(n.ips()));
      var prom = n.extraMetadata().get(NodeInfo.PROMETHEUS_ADDRESS);
      var admin = n.extraMetadata().get(NodeInfo.ADMIN_ADDRESS);
      o.put("admin", admin);
      o.put("prometheus", prom != null && !prom.isBlank() ? prom : admin);
    }
    return a;
  }

  /** Every stored resource as a Kubernetes {@code List} (what {@code ConfigLoader} reads back item by item). */
  static ObjectNode configz(ConfigStore.Snapshot snap) {
    var list = ConfigLoader.JSON.createObjectNode();
    list.put("apiVersion", "v1");
    list.put("kind", "List");
    list.putObject("metadata").put("resourceVersion", Long.toString(snap.revision()));
    var items = list.putArray("items");
    snap.resources().values().forEach(r -> items.add(io.meshwork.config.kube.Secret.forDisplay(r)));
    return list;
  }

  /** The registry's services (host, namespace, ports, selector, source) and workloads (name, namespace, address, labels). */
  static ObjectNode registryz(Registry registry) {
    var o = ConfigLoader.JSON.createObjectNode();
    var services = o.putArray("services");
    for (var s : registry.services()) {
      var so = services.addObject();
      so.put("host", s.hostname());
      so.put("namespace", s.namespace());
      so.put("source", s.source());
      so.put("external", s.external());
      so.set("selector", s.selector() == null ? null : ConfigLoader.JSON.valueToTree(s.selector()));
      var ports = so.putArray("ports");
      s.ports().forEach(p -> ports.addObject().put("name", p.name()).put("port", p.number()).put("protocol", p.protocol()));
    }
    var workloads = o.putArray("workloads");
    for (var w : registry.workloads()) {
      var wo = workloads.addObject();
      wo.put("name", w.name());
      wo.put("namespace", w.namespace());
      wo.put("address", w.address());
      wo.set("labels", ConfigLoader.JSON.valueToTree(w.labels()));
      wo.put("healthy", w.healthy());
    }
    return o;
  }
}
