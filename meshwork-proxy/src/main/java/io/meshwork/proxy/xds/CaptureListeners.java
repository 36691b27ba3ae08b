package io.meshwork.proxy.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshwork.proxy.capture.CaptureTable;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.client.XdsSnapshot;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The listeners of a sidecar in capture mode, as Envoy serves Istio's configuration: only the two
 * {@code use_original_dst} listeners are bound ({@code virtualOutbound} on 15001,
 * {@code virtualInbound} on 15006); every other listener (Istio's per-service
 * {@code 0.0.0.0_PORT} / {@code IP_PORT}, with or without {@code bind_to_port: false}) is built
 * but not bound, and reached by the original destination. virtualInbound's filter chains are split
 * by {@code filter_chain_match.destination_port} into one internal listener per port (named
 * {@code virtualInbound|PORT}; a PeerAuthentication {@code tls}/{@code raw_buffer} pair stays
 * together, so PERMISSIVE and STRICT work as on a bound inbound port); the chains without a
 * destination port (Istio's {@code InboundPassthroughCluster}) remain on the bound 15006 listener.
 * Listeners at one of the proxy's upstream bind addresses stay bound as in local mode.
 */
final class CaptureListeners {
  private CaptureListeners() {}

  static CaptureTable build(XdsSnapshot s, XdsConfigBuilder.Options options, Set<String> clusters,
      List<ListenerConfig> out, Map<String, Message> resources, Map<String, String> unbound) throws ConfigException {
    String outboundListener = null;
    String inboundListener = null;
    var outbound = new HashMap<InetSocketAddress, String>();
    var inbound = new HashMap<Integer, String>();
    var internal = new HashSet<String>();
    for (var e : new TreeMap<>(s.listeners()).entrySet()) {
      var l = e.getValue();
      var path = "listeners[" + e.getKey() + "]";
      boolean originalDst = l.hasUseOriginalDst() && l.getUseOriginalDst().getValue();
      if (originalDst && l.getTrafficDirection() == TrafficDirection.INBOUND) {
        inboundListener = l.getName();
        splitInbound(l, path, s, clusters, out, resources, inbound, internal);
        continue;
      }
      var built = ProxyConfigBuilder.listener(l, path, clusters, s.routes());
      out.add(built);
      resources.put("listener/" + l.getName(), l);
      if (originalDst) {
        outboundListener = l.getName();
        continue;
      }
      var a = l.getAddress().getSocketAddress();
      boolean bind = options.bindAddresses().stream()
          .anyMatch(b -> b.getPort() == a.getPortValue() && b.getAddress().getHostAddress().equals(a.getAddress()));
      if (bind) {
        continue;
      }
      internal.add(l.getName());
      unbound.put(l.getName(), "capture mode: reached through virtualOutbound by the original destination, not bound");
      if (l.getTrafficDirection() != TrafficDirection.INBOUND) {
        outbound.putIfAbsent(built.address(), l.getName());
      }
    }
    if (outboundListener == null || inboundListener == null) {
      throw new ConfigException("listeners", "capture mode needs the use_original_dst listeners virtualOutbound and"
          + " virtualInbound; the control plane sent " + (outboundListener == null ? "no outbound" : "no inbound")
          + " one (is this node a sidecar?)");
    }
    return new CaptureTable(options.capture(), outboundListener, inboundListener, outbound, inbound, internal, Set.of());
  }

  /** virtualInbound → one internal listener per destination port, plus the bound catch-all. */
  private static void splitInbound(Listener l, String path, XdsSnapshot s, Set<String> clusters, List<ListenerConfig> out,
      Map<String, Message> resources, Map<Integer, String> inbound, Set<String> internal) throws ConfigException {
    var byPort = new TreeMap<Integer, List<FilterChain>>();
    var rest = new java.util.ArrayList<FilterChain>();
    for (var c : l.getFilterChainsList()) {
      var m = c.getFilterChainMatch();
      if (m.hasDestinationPort()) {
        byPort.computeIfAbsent(m.getDestinationPort().getValue(), k -> new java.util.ArrayList<>())
            .add(c.toBuilder().setFilterChainMatch(m.toBuilder().clearDestinationPort()).build());
      } else {
        rest.add(c);
      }
    }
    for (var e : byPort.entrySet()) {
      var name = l.getName() + "|" + e.getKey();
      var sub = l.toBuilder().setName(name).clearUseOriginalDst().clearFilterChains().addAllFilterChains(e.getValue()).build();
      out.add(ProxyConfigBuilder.listener(sub, path + ".filter_chains[destination_port=" + e.getKey() + "]", clusters,
          s.routes()));
      resources.put("listener/" + name, sub);
      inbound.put(e.getKey(), name);
      internal.add(name);
    }
    if (rest.isEmpty()) {
      throw new ConfigException(path + ".filter_chains", "virtualInbound needs a chain without destination_port"
          + " (InboundPassthroughCluster) for ports with no service");
    }
    var own = l.toBuilder().clearFilterChains().addFilterChains(rest.getFirst()).build();
    out.add(ProxyConfigBuilder.listener(own, path, clusters, s.routes()));
    resources.put("listener/" + l.getName(), own);
  }
}
