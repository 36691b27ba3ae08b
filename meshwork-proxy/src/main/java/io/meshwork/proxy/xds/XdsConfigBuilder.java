package io.meshwork.proxy.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.client.XdsSnapshot;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link ProxyConfig} from an {@link XdsSnapshot}, all or nothing.
 *
 * <p>Clusters: EDS clusters take their endpoints from the snapshot's {@code ClusterLoadAssignment}
 * (by {@code eds_cluster_config.service_name}, else the cluster name); {@code ORIGINAL_DST}
 * clusters (Istio's {@code PassthroughCluster}) are kept without endpoints: in capture mode they
 * connect to each connection's original destination, otherwise they answer 503 UH. A cluster's {@code transport_socket}
 * and Istio's auto mTLS {@code transport_socket_matches} become its upstream TLS ({@link ClusterTls}).
 *
 * <p>Listeners: those the proxy can serve are built with their RDS route configurations. The rest
 * are accepted but left unbound, and returned in {@link Built#unbound()} with the reason, so the
 * caller can log them: {@code use_original_dst} listeners ({@code virtualOutbound},
 * {@code virtualInbound}), {@code bind_to_port: false}, and in local mode every listener that is
 * not at one of the proxy's upstream bind addresses (in a mesh with capture, those catch-all
 * {@code 0.0.0.0:PORT} listeners receive redirected traffic; bound directly they would collide).
 * In capture mode ({@link Options#capture()}) {@link CaptureListeners} decides instead.
 */
public final class XdsConfigBuilder {
  private XdsConfigBuilder() {}

  /**
   * The built configuration, the listeners left unbound and the ORIGINAL_DST clusters kept without
   * endpoints ({@code name -> reason} each).
   */
  public record Built(ProxyConfig config, Map<String, String> unbound, Map<String, String> emptyClusters) {}

  /**
   * How this proxy serves listeners.
   *
   * @param localMode bind only listeners at {@code bindAddresses} (apps call upstreams through them)
   * @param bindAddresses the {@code ip:port} of each upstream bind this proxy asked for
   * @param gatewayHost a gateway in local mode: its wildcard ({@code 0.0.0.0:PORT}) listeners are the
   *     gateway's server ports, so they are bound on this address (the gateway's own loopback
   *     address) instead of being left unbound; null for sidecars
   * @param capture a sidecar whose pod captures traffic ({@link CaptureListeners}); null: no capture
   */
  public record Options(String nodeId, InetSocketAddress admin, boolean localMode, Set<InetSocketAddress> bindAddresses,
      String gatewayHost, io.meshwork.proxy.capture.InterceptionMode capture) {
    public Options {
      bindAddresses = Set.copyOf(bindAddresses);
    }

    /** Without capture. */
    public Options(String nodeId, InetSocketAddress admin, boolean localMode, Set<InetSocketAddress> bindAddresses,
        String gatewayHost) {
      this(nodeId, admin, localMode, bindAddresses, gatewayHost, null);
    }

    /** A sidecar's options (no gateway listeners). */
    public Options(String nodeId, InetSocketAddress admin, boolean localMode, Set<InetSocketAddress> bindAddresses) {
      this(nodeId, admin, localMode, bindAddresses, null);
    }
  }

  public static Built build(XdsSnapshot s, long version, Options options) throws ConfigException {
    var resources = new LinkedHashMap<String, Message>();
    var clusters = new LinkedHashMap<String, ClusterConfig>();
    var empty = new TreeMap<String, String>();
    for (var e : new TreeMap<>(s.clusters()).entrySet()) {
      var c = e.getValue();
      var path = "clusters[" + e.getKey() + "]";
      clusters.put(c.getName(), cluster(c, path, s.endpoints()));
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        var eds = c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName() : c.getEdsClusterConfig().getServiceName();
        var cla = s.endpoints().get(eds);
        if (cla != null) {
          resources.put("endpoints/" + eds, cla); // endpoint metadata (istio.workload) for telemetry; not dumped
        }
      }
      if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
        empty.put(c.getName(), "ORIGINAL_DST needs the original destination of captured traffic; kept without endpoints (503 UH)");
      }
      resources.put("cluster/" + c.getName(), c);
    }
    var listeners = new ArrayList<ListenerConfig>();
    var unbound = new TreeMap<String, String>();
    if (options.capture() != null) {
      var table = CaptureListeners.build(s, options, clusters.keySet(), listeners, resources, unbound);
      var originalDst = s.clusters().values().stream().filter(c -> c.getType() == Cluster.DiscoveryType.ORIGINAL_DST)
          .map(Cluster::getName).collect(java.util.stream.Collectors.toSet());
      empty.clear();
      table = new io.meshwork.proxy.capture.CaptureTable(table.mode(), table.outboundListener(), table.inboundListener(),
          table.outbound(), table.inbound(), table.internal(), originalDst);
      var config = new ProxyConfig(version, options.nodeId(), options.admin(), List.copyOf(listeners), Map.copyOf(clusters),
          Collections.unmodifiableMap(resources), table);
      return new Built(config, Collections.unmodifiableMap(unbound), Collections.unmodifiableMap(empty));
    }
    for (var e : new TreeMap<>(s.listeners()).entrySet()) {
      var original = gatewayListener(e.getValue(), options);
      var l = SdsInline.apply(original, s.secrets()); // gateway credentials received over SDS, as inline PEM
      for (var name : io.meshwork.xds.client.SdsNames.of(original)) { // for proxy-config secret: keys redacted, missing ones warming
        var got = s.secrets().get(name);
        resources.put("secret/" + name, got != null ? io.meshwork.proxy.admin.SecretsDump.redacted(got)
            : io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName(name).build());
      }
      var reason = unboundReason(l, options);
      var secret = reason == null ? SdsWarming.missingSecret(l) : null;
      var serving = secret != null ? SdsWarming.servingChains(l) : l; // chains whose secret is missing or deleted do not serve
      if (serving == null) {
        reason = SdsWarming.reason(secret); // Envoy's warming listener: the rest of the config serves
      } else {
        l = serving;
      }
      if (reason != null) {
        unbound.put(l.getName(), reason);
        continue;
      }
      listeners.add(ProxyConfigBuilder.listener(l, "listeners[" + e.getKey() + "]", clusters.keySet(), s.routes()));
      resources.put("listener/" + l.getName(), original); // the SDS references, never the inlined keys
    }
    var config = new ProxyConfig(version, options.nodeId(), options.admin(), List.copyOf(listeners), Map.copyOf(clusters),
        Collections.unmodifiableMap(resources));
    return new Built(config, Collections.unmodifiableMap(unbound), Collections.unmodifiableMap(empty));
  }

  /**
   * A gateway's server ports come as {@code 0.0.0.0:PORT} listeners; in local mode the gateway serves
   * them on its own address, so they do not collide with apps on other loopback addresses.
   */
  private static Listener gatewayListener(Listener l, Options options) {
    if (options.gatewayHost() == null || !options.localMode() || !l.getAddress().hasSocketAddress()
        || (l.hasUseOriginalDst() && l.getUseOriginalDst().getValue())) {
      return l;
    }
    var a = l.getAddress().getSocketAddress();
    if (!a.getAddress().equals("0.0.0.0") && !a.getAddress().equals("::")) {
      return l;
    }
    var b = l.toBuilder();
    b.getAddressBuilder().getSocketAddressBuilder().setAddress(options.gatewayHost());
    return b.build();
  }

  private static String unboundReason(Listener l, Options options) {
    if (l.hasUseOriginalDst() && l.getUseOriginalDst().getValue()) {
      return "use_original_dst serves captured traffic; this proxy is not in capture mode (meshwork proxy --capture)";
    }
    if (l.hasBindToPort() && !l.getBindToPort().getValue()) {
      return "bind_to_port is false";
    }
    if (options.localMode()) {
      var a = l.getAddress().getSocketAddress();
      boolean wanted = a.getAddress().equals(options.gatewayHost()) || options.bindAddresses().stream()
          .anyMatch(b -> b.getPort() == a.getPortValue() && b.getAddress().getHostAddress().equals(a.getAddress()));
      if (!wanted) {
        return "local mode binds only the upstream bind addresses; this listener serves captured traffic";
      }
    }
    return null;
  }

  private static ClusterConfig cluster(Cluster c, String path, Map<String, ClusterLoadAssignment> endpoints)
      throws ConfigException {
    var tls = ClusterTls.of(c, path);
    var b = c.toBuilder().clearTransportSocket().clearTransportSocketMatches();
    if (c.getType() == Cluster.DiscoveryType.EDS) {
      var name = c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName() : c.getEdsClusterConfig().getServiceName();
      var cla = endpoints.get(name);
      b.setType(Cluster.DiscoveryType.STATIC).clearEdsClusterConfig();
      b.setLoadAssignment(cla == null ? ClusterLoadAssignment.newBuilder().setClusterName(name).build() : cla);
    } else if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      b.setType(Cluster.DiscoveryType.STATIC).clearLoadAssignment().clearLbPolicy();
    }
    var built = ProxyConfigBuilder.cluster(b.build(), path);
    return tls == null ? built : tls.apply(built, b.getLoadAssignment());
  }

}
