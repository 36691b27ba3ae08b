package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.HostNames;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.translate.MeshContext;
import java.util.Map;

/** {@code describe service}: the service, the VirtualService and DestinationRule that apply, subsets and their endpoints. */
final class Describe {
  private Describe() {}

  static ObjectNode service(MeshContext ctx, String name, String ns) {
    var svc = ctx.registry().resolve(name, ns);
    if (svc == null) {
      throw Http.notFound("no service \"" + name + "\" (looked for " + String.join(", ", HostNames.candidates(name, ns))
          + "); 'meshwork get services -A' and 'meshwork get serviceentries -A' list them");
    }
    var o = ConfigLoader.JSON.createObjectNode();
    o.put("host", svc.hostname());
    o.put("namespace", svc.namespace());
    o.put("source", svc.source());
    o.put("resolution", svc.resolution());
    var vs = ctx.meshVirtualService(svc, svc.namespace());
    o.put("virtualService", vs == null ? null : vs.namespace() + "/" + vs.name());
    var dr = ctx.destinationRule(svc.hostname(), svc.namespace());
    o.put("destinationRule", dr == null ? null : dr.namespace() + "/" + dr.name());
    var ports = o.putArray("ports");
    for (var p : svc.ports()) {
      var po = ports.addObject();
      po.put("name", p.name());
      po.put("port", p.number());
      po.put("protocol", p.protocol());
      var subsets = po.putArray("subsets");
      addSubset(subsets.addObject(), ctx, svc, p, "", Map.of());
      if (dr != null) {
        for (var s : dr.spec().subsets()) {
          addSubset(subsets.addObject(), ctx, svc, p, s.name(), s.labels());
        }
      }
    }
    return o;
  }

  private static void addSubset(ObjectNode o, MeshContext ctx, io.meshwork.control.registry.MeshService svc,
      io.meshwork.control.registry.ServicePortInfo p, String name, Map<String, String> labels) {
    o.put("subset", name);
    o.put("cluster", io.meshwork.control.translate.Names.outboundCluster(p.number(), name.isEmpty() ? null : name, svc.hostname()));
    o.set("labels", ConfigLoader.JSON.valueToTree(labels));
    var eps = o.putArray("endpoints");
    for (var e : ctx.registry().endpoints(svc, p, labels)) {
      var eo = eps.addObject();
      eo.put("address", e.address() + ":" + e.port());
      eo.put("workload", e.workload());
      eo.put("health", e.healthy() ? "HEALTHY" : "UNHEALTHY");
    }
  }
}
