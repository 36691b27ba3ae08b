package io.meshwork.control.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.StreamObserver;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.xds.client.NodeInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One ADS stream (state of the world or delta). Requests and pushes both take this object's lock,
 * so responses leave in order and the stream observer is never called concurrently.
 *
 * <p>Only what changed is sent: each resource's hash is remembered per type; a push sends the
 * types (SotW Listener/Cluster: the full set, as the protocol requires) or resources (RDS, EDS,
 * every delta type) whose hashes differ. A NACK is recorded and logged; the rejected resources are
 * not sent again until they change.
 */
final class ProxyConnection {
  private static final Logger LOG = Logger.getLogger(ProxyConnection.class.getName());
  static final List<String> ORDER = List.of(ProxyResources.CLUSTER, ProxyResources.ENDPOINT, ProxyResources.LISTENER, ProxyResources.ROUTE,
      GatewaySecrets.TYPE);

  private final XdsServer server;
  private final StreamObserver<DiscoveryResponse> sotw;
  private final StreamObserver<DeltaDiscoveryResponse> delta;
  private final Map<String, TypeState> types = new LinkedHashMap<>();
  private final Instant connectedAt = Instant.now();
  private NodeInfo node;
  private ResourceKey registered;
  private ProxyResources current;
  private boolean closed;

  ProxyConnection(XdsServer server, StreamObserver<DiscoveryResponse> sotw, StreamObserver<DeltaDiscoveryResponse> delta) {
    this.server = server;
    this.sotw = sotw;
    this.delta = delta;
  }

  NodeInfo node() {
    return node;
  }

  private static boolean wildcardType(String typeUrl) {
    return typeUrl.equals(ProxyResources.LISTENER) || typeUrl.equals(ProxyResources.CLUSTER);
  }

  private boolean init(io.envoyproxy.envoy.config.core.v3.Node n) {
    if (node != null) {
      return true;
    }
    if (n == null || n.getId().isEmpty()) {
      return false;
    }
    var info = NodeInfo.fromNode(n);
    if (info.generator().isEmpty() && n.getUserAgentName().startsWith("gRPC")) {
      info = new NodeInfo(info.id(), info.proxyType(), info.namespace(), info.workloadName(), info.labels(), info.serviceAccount(),
          info.ips(), info.appPorts(), info.upstreamBinds(), "grpc", info.inboundPorts(), info.extraMetadata());
    }
    node = info;
    registered = server.connected(this);
    current = server.translate(node);
    return true;
  }

  synchronized void onSotw(DiscoveryRequest req) {
    if (closed || !init(req.hasNode() ? req.getNode() : null)) {
      return;
    }
    var ts = types.computeIfAbsent(req.getTypeUrl(), TypeState::new);
    // ACK/NACK only for the latest nonce; a stale request still carries the current subscription.
    if (!req.getResponseNonce().isEmpty() && req.getResponseNonce().equals(ts.sentNonce)) {
      if (req.hasErrorDetail()) {
        nack(ts, req.getErrorDetail().getMessage());
      } else {
        ts.ackedVersion = req.getVersionInfo();
        ts.nackError = "";
      }
    }
    var names = new HashSet<>(req.getResourceNamesList());
    boolean first = !ts.requested;
    ts.requested = true;
    ts.wildcard = wildcardType(ts.typeUrl) && (names.isEmpty() || names.contains("*"));
    if (first) {
      ts.names.addAll(names);
      sendSotw(ts, null, true);
      return;
    }
    if (!ts.wildcard && !names.equals(ts.names)) {
      var added = new HashSet<>(names);
      added.removeAll(ts.names);
      ts.names.clear();
      ts.names.addAll(names);
      ts.sent.keySet().retainAll(names);
      if (!added.isEmpty()) {
        sendSotw(ts, added, false);
      }
    }
  }

  synchronized void onDelta(DeltaDiscoveryRequest req) {
    if (closed || !init(req.hasNode() ? req.getNode() : null)) {
      return;
    }
    var ts = types.computeIfAbsent(req.getTypeUrl(), TypeState::new);
    if (!req.getResponseNonce().isEmpty() && req.getResponseNonce().equals(ts.sentNonce)) {
      if (req.hasErrorDetail()) {
        nack(ts, req.getErrorDetail().getMessage());
      } else {
        ts.ackedVersion = ts.sentVersion;
        ts.nackError = "";
      }
    }
    boolean first = !ts.requested;
    boolean changed = first;
    if (first) {
      ts.requested = true;
      ts.wildcard = wildcardType(ts.typeUrl) && req.getResourceNamesSubscribeList().isEmpty();
      ts.sent.putAll(req.getInitialResourceVersionsMap());
    }
    for (var n : req.getResourceNamesSubscribeList()) {
      changed |= n.equals("*") ? !ts.wildcard : ts.names.add(n);
      ts.wildcard |= n.equals("*");
    }
    for (var n : req.getResourceNamesUnsubscribeList()) {
      if (n.equals("*")) {
        ts.wildcard = false;
      } else {
        ts.names.remove(n);
        ts.sent.remove(n);
      }
    }
    if (changed) {
      sendDelta(ts, first);
    }
  }

  private void nack(TypeState ts, String error) {
    ts.nackError = error;
    ts.nackVersion = ts.sentVersion;
    server.metrics().nacks.increment();
    LOG.warning("proxy " + node.id() + " rejected " + XdsMetrics.shortType(ts.typeUrl) + " version " + ts.sentVersion + ": " + error);
  }

  /** Sends what changed since the last push, in make-before-break order (CDS, EDS, LDS, RDS). */
  synchronized void push(ProxyResources next) {
    if (closed || node == null) {
      return;
    }
    current = next;
    for (var type : ORDER) {
      var ts = types.get(type);
      if (ts == null || !ts.requested) {
        continue;
      }
      var resources = ofType(type);
      if (ts.evaluated != null && io.meshwork.control.translate.Layered.sameContent(resources, ts.evaluated)) {
        ts.evaluated = resources; // the change cannot have touched this type for this proxy: no per-resource comparison
        continue;
      }
      if (delta != null) {
        sendDelta(ts, false);
      } else {
        sendSotw(ts, null, false);
      }
    }
  }

  /** The current resources of a type; SDS secrets (gateway credentials) come from the store ({@link GatewaySecrets}). */
  private Map<String, ? extends Message> ofType(String type) {
    return GatewaySecrets.ofType(type, node, current, server.context().snapshot());
  }

  private Map<String, Message> subscribed(TypeState ts) {
    var all = ofType(ts.typeUrl);
    ts.evaluated = all;
    var out = new LinkedHashMap<String, Message>();
    all.forEach((k, v) -> {
      if (ts.subscribed(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  private void sendSotw(TypeState ts, java.util.Set<String> added, boolean first) {
    var res = subscribed(ts);
    var hashes = new LinkedHashMap<String, String>();
    res.forEach((k, v) -> hashes.put(k, server.hash(v)));
    var out = new ArrayList<Message>();
    // SDS too is answered with every subscribed secret that exists: in state of the world, leaving a
    // resource out is the only way to say a deleted Secret is gone (delta has removed_resources).
    if (wildcardType(ts.typeUrl) || GatewaySecrets.TYPE.equals(ts.typeUrl)) {
      if (!first && hashes.equals(ts.sent)) {
        return;
      }
      out.addAll(res.values());
      ts.sent.clear();
      ts.sent.putAll(hashes);
    } else {
      for (var e : res.entrySet()) {
        var h = hashes.get(e.getKey());
        if (first || (added != null && added.contains(e.getKey())) || !h.equals(ts.sent.get(e.getKey()))) {
          out.add(e.getValue());
          ts.sent.put(e.getKey(), h);
        }
      }
      if (out.isEmpty() && !first) {
        return;
      }
    }
    var version = server.nextVersion();
    var nonce = server.nextNonce();
    var resp = DiscoveryResponse.newBuilder().setVersionInfo(version).setTypeUrl(ts.typeUrl).setNonce(nonce);
    out.forEach(m -> resp.addResources(server.wire(m).any()));
    ts.sentVersion = version;
    ts.sentNonce = nonce;
    server.metrics().sent(ts.typeUrl);
    sotw.onNext(resp.build());
  }

  private void sendDelta(TypeState ts, boolean first) {
    var res = subscribed(ts);
    var resp = DeltaDiscoveryResponse.newBuilder().setTypeUrl(ts.typeUrl);
    int n = 0;
    for (var e : res.entrySet()) {
      var w = server.wire(e.getValue());
      var h = w.hash();
      if (!h.equals(ts.sent.get(e.getKey()))) {
        resp.addResources(Resource.newBuilder().setName(e.getKey()).setVersion(h).setResource(w.any()));
        ts.sent.put(e.getKey(), h);
        n++;
      }
    }
    for (var name : List.copyOf(ts.sent.keySet())) {
      if (!res.containsKey(name)) {
        resp.addRemovedResources(name);
        ts.sent.remove(name);
        n++;
      }
    }
    if (n == 0 && !first) {
      return;
    }
    var version = server.nextVersion();
    var nonce = server.nextNonce();
    ts.sentVersion = version;
    ts.sentNonce = nonce;
    server.metrics().sent(ts.typeUrl);
    delta.onNext(resp.setSystemVersionInfo(version).setNonce(nonce).build());
  }

  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (node != null) {
      server.disconnected(this, registered);
    }
  }

  /** The stream's sync state, for proxy-status. */
  synchronized ProxyStatus status() {
    var per = new LinkedHashMap<String, ProxyStatus.TypeStatus>();
    for (var type : ORDER) {
      var ts = types.get(type);
      if (ts != null) {
        per.put(XdsMetrics.shortType(type).toUpperCase(java.util.Locale.ROOT), new ProxyStatus.TypeStatus(ts.status(), ts.sentVersion,
            ts.ackedVersion, ts.sentNonce, ts.sent.size(), ts.nackError));
      }
    }
    return new ProxyStatus(node.id(), node.namespace(), node.workloadName(), node.proxyType(), delta != null ? "delta" : "sotw",
        connectedAt.toString(), per);
  }

  synchronized ProxyResources resources() {
    return current;
  }
}
