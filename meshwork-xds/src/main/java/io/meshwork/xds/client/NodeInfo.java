package io.meshwork.xds.client;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a proxy tells the control plane about itself, carried in the xDS {@code Node}'s metadata
 * under Istio's key names where Istio has one. The control plane registers the workload from it
 * (auto-registration) and translates config for it.
 *
 * @param id node id; Istio's shape {@code sidecar~IP~NAME.NS~NS.svc.cluster.local} is understood
 * @param proxyType {@code sidecar} or {@code router} (gateway)
 * @param namespace the workload's namespace
 * @param workloadName the workload (Deployment) name
 * @param labels the workload's labels ({@code app}, {@code version})
 * @param serviceAccount the workload's service account
 * @param ips the workload's addresses
 * @param appPorts the application's ports by name ({@code http -> 9080})
 * @param upstreamBinds local mode: {@code host:port} of an upstream service to the {@code ip:port}
 *     the sidecar serves it on for the app ({@code reviews:9080 -> 127.0.0.1:16001})
 * @param generator {@code grpc} for proxyless gRPC clients, empty for proxies
 * @param inboundPorts local mode with mTLS: app port name to the port on the workload's address
 *     where the sidecar terminates (m)TLS for it and forwards to the app ({@code http -> 15080});
 *     a sidecar that sets it can receive mTLS (Istio's {@code security.istio.io/tlsMode: istio})
 * @param extraMetadata other string-valued metadata passed through as is, e.g. {@link #PROMETHEUS_ADDRESS}
 *     and {@link #ADMIN_ADDRESS}, which the console uses to find every proxy's metrics
 */
public record NodeInfo(
    String id,
    String proxyType,
    String namespace,
    String workloadName,
    Map<String, String> labels,
    String serviceAccount,
    List<String> ips,
    Map<String, Integer> appPorts,
    Map<String, String> upstreamBinds,
    String generator,
    Map<String, Integer> inboundPorts,
    Map<String, String> extraMetadata) {

  public static final String INBOUND_PORTS = "INBOUND_PORTS";
  public static final String NAMESPACE = "NAMESPACE";
  public static final String WORKLOAD_NAME = "WORKLOAD_NAME";
  public static final String LABELS = "LABELS";
  public static final String SERVICE_ACCOUNT = "SERVICE_ACCOUNT";
  public static final String INSTANCE_IPS = "INSTANCE_IPS";
  public static final String APP_PORTS = "APP_PORTS";
  public static final String UPSTREAM_BINDS = "UPSTREAM_BINDS";
  public static final String PROXY_TYPE = "PROXY_TYPE";
  /**
   * Istio's metadata for how the pod's traffic is captured ({@code REDIRECT} or {@code TPROXY});
   * absent or {@code NONE}: not captured. Kept in {@link #extraMetadata()}.
   */
  public static final String INTERCEPTION_MODE = "INTERCEPTION_MODE";
  public static final String GENERATOR = "GENERATOR";
  /** {@code host:port} serving {@code /stats/prometheus} (Istio's merged-metrics port 15090), if the proxy has one. */
  public static final String PROMETHEUS_ADDRESS = "PROMETHEUS_ADDRESS";
  /** {@code host:port} of the proxy's admin interface (also serves {@code /stats/prometheus}). */
  public static final String ADMIN_ADDRESS = "ADMIN_ADDRESS";
  private static final java.util.Set<String> MODELED = java.util.Set.of(NAMESPACE, WORKLOAD_NAME, LABELS, SERVICE_ACCOUNT,
      INSTANCE_IPS, APP_PORTS, UPSTREAM_BINDS, PROXY_TYPE, GENERATOR, INBOUND_PORTS);

  public NodeInfo {
    labels = Map.copyOf(labels);
    ips = List.copyOf(ips);
    appPorts = Map.copyOf(appPorts);
    upstreamBinds = Map.copyOf(upstreamBinds);
    proxyType = proxyType == null || proxyType.isEmpty() ? "sidecar" : proxyType;
    namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
    workloadName = workloadName == null ? "" : workloadName;
    serviceAccount = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
    generator = generator == null ? "" : generator;
    inboundPorts = inboundPorts == null ? Map.of() : Map.copyOf(inboundPorts);
    extraMetadata = extraMetadata == null ? Map.of() : Map.copyOf(extraMetadata);
  }

  /** A node without inbound ports (no mTLS termination in local mode) and without extra metadata. */
  public NodeInfo(String id, String proxyType, String namespace, String workloadName, Map<String, String> labels, String serviceAccount,
      List<String> ips, Map<String, Integer> appPorts, Map<String, String> upstreamBinds, String generator) {
    this(id, proxyType, namespace, workloadName, labels, serviceAccount, ips, appPorts, upstreamBinds, generator, Map.of(), Map.of());
  }

  /** The same node with inbound (mTLS-terminating) ports by app port name. */
  public NodeInfo withInboundPorts(Map<String, Integer> ports) {
    return new NodeInfo(id, proxyType, namespace, workloadName, labels, serviceAccount, ips, appPorts, upstreamBinds, generator, ports,
        extraMetadata);
  }

  /** The same node with one more pass-through metadata entry. */
  public NodeInfo withMetadata(String key, String value) {
    var m = new LinkedHashMap<>(extraMetadata);
    m.put(key, value);
    return new NodeInfo(id, proxyType, namespace, workloadName, labels, serviceAccount, ips, appPorts, upstreamBinds, generator,
        inboundPorts, m);
  }

  /**
   * Whether the pod's traffic is captured (iptables), so its sidecar serves virtualInbound and
   * terminates mTLS on the app's own ports.
   */
  public boolean isCaptured() {
    var m = extraMetadata.get(INTERCEPTION_MODE);
    return m != null && !m.isBlank() && !m.equalsIgnoreCase("NONE");
  }

  public boolean isGateway() {
    return proxyType.equals("router");
  }

  public boolean isProxylessGrpc() {
    return generator.equals("grpc");
  }

  /** The protobuf {@code Node} a client sends. */
  public Node toNode() {
    var md = Struct.newBuilder();
    md.putFields(NAMESPACE, str(namespace));
    md.putFields(WORKLOAD_NAME, str(workloadName));
    md.putFields(SERVICE_ACCOUNT, str(serviceAccount));
    md.putFields(INSTANCE_IPS, str(String.join(",", ips)));
    md.putFields(PROXY_TYPE, str(proxyType));
    if (!generator.isEmpty()) {
      md.putFields(GENERATOR, str(generator));
    }
    extraMetadata.forEach((k, v) -> {
      if (!MODELED.contains(k)) {
        md.putFields(k, str(v));
      }
    });
    var l = Struct.newBuilder();
    labels.forEach((k, v) -> l.putFields(k, str(v)));
    md.putFields(LABELS, Value.newBuilder().setStructValue(l).build());
    var p = Struct.newBuilder();
    appPorts.forEach((k, v) -> p.putFields(k, Value.newBuilder().setNumberValue(v).build()));
    md.putFields(APP_PORTS, Value.newBuilder().setStructValue(p).build());
    var b = Struct.newBuilder();
    upstreamBinds.forEach((k, v) -> b.putFields(k, str(v)));
    md.putFields(UPSTREAM_BINDS, Value.newBuilder().setStructValue(b).build());
    if (!inboundPorts.isEmpty()) {
      var in = Struct.newBuilder();
      inboundPorts.forEach((k, v) -> in.putFields(k, Value.newBuilder().setNumberValue(v).build()));
      md.putFields(INBOUND_PORTS, Value.newBuilder().setStructValue(in).build());
    }
    return Node.newBuilder().setId(id).setCluster(workloadName.isEmpty() ? "meshwork" : workloadName + "." + namespace)
        .setMetadata(md).build();
  }

  /** Reads a node as a client sent it; missing fields fall back to what the Istio-shaped id says. */
  public static NodeInfo fromNode(Node node) {
    var md = node.getMetadata().getFieldsMap();
    String type = text(md, PROXY_TYPE);
    String ip = "";
    String name = text(md, WORKLOAD_NAME);
    String ns = text(md, NAMESPACE);
    var parts = node.getId().split("~");
    if (parts.length == 4) {
      type = type.isEmpty() ? parts[0] : type;
      ip = parts[1];
      var podNs = parts[2].split("\\.", 2);
      if (ns.isEmpty() && podNs.length == 2) {
        ns = podNs[1];
      }
      if (name.isEmpty()) {
        name = podNs[0];
      }
    }
    var ips = new ArrayList<String>();
    for (var s : text(md, INSTANCE_IPS).split(",")) {
      if (!s.isBlank()) {
        ips.add(s.strip());
      }
    }
    if (ips.isEmpty() && !ip.isEmpty()) {
      ips.add(ip);
    }
    var labels = new LinkedHashMap<String, String>();
    struct(md, LABELS).forEach((k, v) -> labels.put(k, v.getStringValue()));
    var ports = new LinkedHashMap<String, Integer>();
    struct(md, APP_PORTS).forEach((k, v) -> ports.put(k, v.hasNumberValue() ? (int) v.getNumberValue() : parseInt(v.getStringValue())));
    var binds = new LinkedHashMap<String, String>();
    struct(md, UPSTREAM_BINDS).forEach((k, v) -> binds.put(k, v.getStringValue()));
    var inbound = new LinkedHashMap<String, Integer>();
    struct(md, INBOUND_PORTS).forEach((k, v) -> inbound.put(k, v.hasNumberValue() ? (int) v.getNumberValue() : parseInt(v.getStringValue())));
    var extra = new LinkedHashMap<String, String>();
    md.forEach((k, v) -> {
      if (!MODELED.contains(k) && v.hasStringValue()) {
        extra.put(k, v.getStringValue());
      }
    });
    return new NodeInfo(node.getId(), type, ns, name, labels, text(md, SERVICE_ACCOUNT), ips, ports, binds, text(md, GENERATOR), inbound,
        extra);
  }

  private static int parseInt(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static String text(Map<String, Value> md, String key) {
    var v = md.get(key);
    return v == null ? "" : v.getStringValue();
  }

  private static Map<String, Value> struct(Map<String, Value> md, String key) {
    var v = md.get(key);
    return v == null || !v.hasStructValue() ? Map.of() : v.getStructValue().getFieldsMap();
  }

  /** A sidecar's node info with the usual fields (tests and the proxy command build nodes this way). */
  public static NodeInfo sidecar(String workload, String ns, Map<String, String> labels, String ip, Map<String, Integer> appPorts) {
    return new NodeInfo("sidecar~" + ip + "~" + workload + "." + ns + "~" + ns + ".svc.cluster.local", "sidecar", ns, workload,
        labels, "default", Arrays.asList(ip), appPorts, Map.of(), "");
  }

  public NodeInfo withUpstreamBinds(Map<String, String> binds) {
    return new NodeInfo(id, proxyType, namespace, workloadName, labels, serviceAccount, ips, appPorts, binds, generator, inboundPorts,
        extraMetadata);
  }

  public NodeInfo withServiceAccount(String sa) {
    return new NodeInfo(id, proxyType, namespace, workloadName, labels, sa, ips, appPorts, upstreamBinds, generator, inboundPorts,
        extraMetadata);
  }

  public NodeInfo asGateway() {
    return new NodeInfo(id.replaceFirst("^sidecar~", "router~"), "router", namespace, workloadName, labels, serviceAccount, ips,
        appPorts, upstreamBinds, generator, inboundPorts, extraMetadata);
  }
}
