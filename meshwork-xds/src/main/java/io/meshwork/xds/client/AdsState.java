package io.meshwork.xds.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client side of state-of-the-world ADS, without I/O (so it can be tested alone). Responses are
 * held as pending until the configuration they lead to is complete (clusters before endpoints,
 * listeners before routes: EDS and RDS names are subscribed as soon as clusters and listeners name
 * them); the complete snapshot is then offered to the caller, whose verdict ACKs or NACKs every
 * pending response. Not thread-safe: the client drives it from one thread.
 */
final class AdsState {
  /** One type's accepted and pending state. */
  private static final class Type {
    final String url;
    Set<String> names = new TreeSet<>();
    Map<String, Message> accepted = new LinkedHashMap<>();
    String acceptedVersion = "";
    String lastNonce = "";
    Map<String, Message> pending;
    String pendingVersion;
    String pendingNonce;

    Type(String url) {
      this.url = url;
    }

    Map<String, Message> candidate() {
      return pending != null ? pending : accepted;
    }
  }

  /** What the client must do after an event: requests to send, and maybe a snapshot to offer. */
  record Step(List<DiscoveryRequest> requests, XdsSnapshot offer) {}

  private final Node node;
  private final Map<String, Type> types = new LinkedHashMap<>();
  private boolean nodeSent;
  private XdsSnapshot current = XdsSnapshot.EMPTY;

  AdsState(Node node) {
    this.node = node;
    for (var t : TypeUrls.ALL) {
      types.put(t, new Type(t));
    }
    types.put(TypeUrls.SECRET, new Type(TypeUrls.SECRET));
  }

  XdsSnapshot current() {
    return current;
  }

  /** The first requests of a (new) stream: CDS and LDS wildcards, plus the current EDS/RDS names, with the versions held. */
  List<DiscoveryRequest> start() {
    nodeSent = false;
    var out = new ArrayList<DiscoveryRequest>();
    for (var t : types.values()) {
      t.pending = null;
      t.lastNonce = "";
      boolean wildcard = t.url.equals(TypeUrls.CLUSTER) || t.url.equals(TypeUrls.LISTENER);
      if (wildcard || !t.names.isEmpty()) {
        out.add(request(t, t.acceptedVersion, null));
      }
    }
    return out;
  }

  private DiscoveryRequest request(Type t, String version, String error) {
    var b = DiscoveryRequest.newBuilder().setTypeUrl(t.url).setVersionInfo(version).setResponseNonce(t.lastNonce).addAllResourceNames(t.names);
    if (!nodeSent) {
      b.setNode(node);
      nodeSent = true;
    }
    if (error != null) {
      b.setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
    }
    return b.build();
  }

  Step onResponse(DiscoveryResponse resp) {
    var t = types.get(resp.getTypeUrl());
    if (t == null) {
      return new Step(List.of(), null);
    }
    t.lastNonce = resp.getNonce();
    var decoded = new LinkedHashMap<String, Message>();
    try {
      for (Any any : resp.getResourcesList()) {
        var m = unpack(t.url, any);
        decoded.put(nameOf(m), m);
      }
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return new Step(List.of(request(t, t.acceptedVersion, "cannot decode " + TypeUrls.shortName(t.url) + " response: " + e.getMessage())), null);
    }
    // SDS responses carry every subscribed secret the server holds (Meshwork's control plane sends them
    // so), so a secret left out was deleted: the listener chains naming it stop serving its certificate.
    boolean wildcard = t.url.equals(TypeUrls.CLUSTER) || t.url.equals(TypeUrls.LISTENER) || t.url.equals(TypeUrls.SECRET);
    Map<String, Message> next = wildcard ? decoded : new LinkedHashMap<>(t.candidate());
    if (!wildcard) {
      next.putAll(decoded);
    }
    t.pending = next;
    t.pendingVersion = resp.getVersionInfo();
    t.pendingNonce = resp.getNonce();
    return evaluate();
  }

  /**
   * After the warming timeout: offers the pending configuration even though some endpoints or routes
   * never came, with empty ones in their place (Envoy's {@code initial_fetch_timeout} behaviour).
   */
  Step forceOffer() {
    if (types.values().stream().noneMatch(t -> t.pending != null)) {
      return new Step(List.of(), null);
    }
    fillMissing(types.get(TypeUrls.ENDPOINT), edsNames(types.get(TypeUrls.CLUSTER).candidate()),
        n -> ClusterLoadAssignment.newBuilder().setClusterName(n).build());
    fillMissing(types.get(TypeUrls.ROUTE), rdsNames(types.get(TypeUrls.LISTENER).candidate()),
        n -> RouteConfiguration.newBuilder().setName(n).build());
    return evaluate();
  }

  private static void fillMissing(Type t, Set<String> wanted, java.util.function.Function<String, Message> empty) {
    var c = t.candidate();
    if (c.keySet().containsAll(wanted)) {
      return;
    }
    var next = new LinkedHashMap<>(c);
    for (var n : wanted) {
      next.putIfAbsent(n, empty.apply(n));
    }
    if (t.pending == null) {
      t.pendingVersion = t.acceptedVersion;
      t.pendingNonce = t.lastNonce;
    }
    t.pending = next;
  }

  /** Whether responses are held waiting for resources they reference. */
  boolean warming() {
    return types.values().stream().anyMatch(t -> t.pending != null);
  }

  private Step evaluate() {
    var requests = new ArrayList<DiscoveryRequest>();
    var cds = types.get(TypeUrls.CLUSTER);
    var eds = types.get(TypeUrls.ENDPOINT);
    var lds = types.get(TypeUrls.LISTENER);
    var rds = types.get(TypeUrls.ROUTE);
    var edsNames = edsNames(cds.candidate());
    var rdsNames = rdsNames(lds.candidate());
    resubscribe(eds, edsNames, requests);
    resubscribe(rds, rdsNames, requests);
    var sds = types.get(TypeUrls.SECRET);
    resubscribe(sds, SdsNames.of(lds.candidate()), requests); // not waited for: a listener missing its secret warms alone
    if (!eds.candidate().keySet().containsAll(edsNames) || !rds.candidate().keySet().containsAll(rdsNames)) {
      return new Step(requests, null);
    }
    if (types.values().stream().noneMatch(t -> t.pending != null)) {
      return new Step(requests, null);
    }
    var versions = new LinkedHashMap<String, String>();
    for (var t : types.values()) {
      if (t == sds && t.names.isEmpty() && t.pending == null) {
        continue; // no secrets subscribed: the four types as before
      }
      versions.put(TypeUrls.shortName(t.url), t.pending != null ? t.pendingVersion : t.acceptedVersion);
    }
    var offer = new XdsSnapshot(typed(lds.candidate(), Listener.class, null), typed(rds.candidate(), RouteConfiguration.class, rdsNames),
        typed(cds.candidate(), Cluster.class, null), typed(eds.candidate(), ClusterLoadAssignment.class, edsNames), versions,
        typed(sds.candidate(), io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class, sds.names));
    return new Step(requests, offer);
  }

  /** The caller's verdict on the last offered snapshot: ACK or NACK every pending response. */
  List<DiscoveryRequest> verdict(XdsSnapshot offered, XdsHandler.Verdict v) {
    var out = new ArrayList<DiscoveryRequest>();
    for (var t : types.values()) {
      if (t.pending == null) {
        continue;
      }
      if (v.accepted()) {
        t.accepted = t.pending;
        t.acceptedVersion = t.pendingVersion;
        out.add(request(t, t.acceptedVersion, null));
      } else {
        out.add(request(t, t.acceptedVersion, v.reason()));
      }
      t.pending = null;
    }
    if (v.accepted()) {
      current = offered;
    }
    return out;
  }

  private void resubscribe(Type t, Set<String> wanted, List<DiscoveryRequest> out) {
    if (!wanted.equals(t.names)) {
      t.names = new TreeSet<>(wanted);
      t.accepted.keySet().retainAll(wanted);
      if (t.pending != null) {
        t.pending.keySet().retainAll(wanted);
      }
      out.add(request(t, t.acceptedVersion, null));
    }
  }

  private static <T> Map<String, T> typed(Map<String, Message> m, Class<T> type, Set<String> only) {
    var out = new LinkedHashMap<String, T>();
    m.forEach((k, v) -> {
      if (only == null || only.contains(k)) {
        out.put(k, type.cast(v));
      }
    });
    return java.util.Collections.unmodifiableMap(out);
  }

  static Set<String> edsNames(Map<String, Message> clusters) {
    var out = new TreeSet<String>();
    for (var m : clusters.values()) {
      var c = (Cluster) m;
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        var sn = c.getEdsClusterConfig().getServiceName();
        out.add(sn.isEmpty() ? c.getName() : sn);
      }
    }
    return out;
  }

  static Set<String> rdsNames(Map<String, Message> listeners) {
    var out = new TreeSet<String>();
    for (var m : listeners.values()) {
      var l = (Listener) m;
      var hcms = new ArrayList<Any>();
      if (l.hasApiListener()) {
        hcms.add(l.getApiListener().getApiListener());
      }
      for (var fc : l.getFilterChainsList()) {
        for (var f : fc.getFiltersList()) {
          hcms.add(f.getTypedConfig());
        }
      }
      for (var any : hcms) {
        if (any.is(HttpConnectionManager.class)) {
          try {
            var hcm = any.unpack(HttpConnectionManager.class);
            if (hcm.hasRds()) {
              out.add(hcm.getRds().getRouteConfigName());
            }
          } catch (InvalidProtocolBufferException e) {
            // a listener the caller will reject; it names no route
          }
        }
      }
    }
    return out;
  }

  private static Message unpack(String url, Any any) throws InvalidProtocolBufferException {
    return switch (url) {
      case TypeUrls.LISTENER -> any.unpack(Listener.class);
      case TypeUrls.ROUTE -> any.unpack(RouteConfiguration.class);
      case TypeUrls.CLUSTER -> any.unpack(Cluster.class);
      case TypeUrls.ENDPOINT -> any.unpack(ClusterLoadAssignment.class);
      case TypeUrls.SECRET -> any.unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class);
      default -> throw new IllegalArgumentException("unknown type " + url);
    };
  }

  private static String nameOf(Message m) {
    return switch (m) {
      case Listener l -> l.getName();
      case RouteConfiguration r -> r.getName();
      case Cluster c -> c.getName();
      case ClusterLoadAssignment a -> a.getClusterName();
      case io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret x -> x.getName();
      default -> throw new IllegalArgumentException("unknown resource " + m.getClass());
    };
  }

}
