package io.meshwork.control.translate;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.meshwork.control.registry.MeshService;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code filter_metadata.istio.services} on inbound clusters: the services whose selector
 * picks this workload and whose port targets the cluster's app port. The proxy's destination-side
 * metrics take {@code destination_service*} from it (otherwise only the Host header, or for TCP
 * the cluster name, is known), so the console's graph can put the right service node in front.
 */
final class InboundServices {
  private InboundServices() {}

  /**
   * The inbound span name per app port, as Istio's inbound route decorator has it:
   * {@code <service hostname>:<service port>/*} of the first service (in registry order) whose selector
   * picks this workload and whose port targets the app port. Ports no service targets are absent
   * (their spans keep the request's authority).
   */
  static Map<Integer, String> operations(NodeInfo node, List<MeshService> services) {
    var result = new java.util.HashMap<Integer, String>();
    for (var svc : services) {
      if (!selects(node, svc)) {
        continue;
      }
      for (var p : svc.ports()) {
        Integer named = p.name().isEmpty() ? null : node.appPorts().get(p.name());
        int target = named != null ? named : p.targetPort() > 0 ? p.targetPort() : p.number();
        result.putIfAbsent(target, svc.hostname() + ":" + p.number() + "/*");
      }
    }
    return result;
  }

  private static boolean selects(NodeInfo node, MeshService svc) {
    return !svc.external() && svc.selector() != null && !svc.selector().isEmpty() && svc.namespace().equals(node.namespace())
        && node.labels().entrySet().containsAll(svc.selector().entrySet());
  }

  /** Adds the metadata to each {@code inbound|PORT||} cluster in {@code clusters} that a service targets. */
  static void annotate(NodeInfo node, List<MeshService> services, Map<String, Cluster> clusters) {
    for (var e : clusters.entrySet()) {
      var parts = e.getKey().split("\\|", -1);
      if (parts.length != 4 || !parts[0].equals("inbound")) {
        continue;
      }
      int appPort;
      try {
        appPort = Integer.parseInt(parts[1]);
      } catch (NumberFormatException ex) {
        continue;
      }
      var list = ListValue.newBuilder();
      for (var svc : services) {
        if (svc.external() || svc.selector() == null || svc.selector().isEmpty() || !svc.namespace().equals(node.namespace())
            || !node.labels().entrySet().containsAll(svc.selector().entrySet())) {
          continue;
        }
        boolean targets = svc.ports().stream().anyMatch(p -> {
          Integer named = p.name().isEmpty() ? null : node.appPorts().get(p.name());
          int target = named != null ? named : p.targetPort() > 0 ? p.targetPort() : p.number();
          return target == appPort;
        });
        if (targets) {
          String name = svc.hostname().split("\\.", 2)[0];
          list.addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
              .putFields("host", str(svc.hostname())).putFields("name", str(name)).putFields("namespace", str(svc.namespace()))));
        }
      }
      if (list.getValuesCount() > 0) {
        var istio = Struct.newBuilder().putFields("services", Value.newBuilder().setListValue(list).build());
        var c = e.getValue().toBuilder();
        c.getMetadataBuilder().putFilterMetadata("istio", istio.build());
        e.setValue(c.build());
      }
    }
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
