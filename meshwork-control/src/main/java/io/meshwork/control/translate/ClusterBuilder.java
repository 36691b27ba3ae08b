package io.meshwork.control.translate;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.type.v3.Percent;
import io.meshwork.config.networking.LoadBalancerSettings;
import io.meshwork.config.networking.OutlierDetection;
import io.meshwork.control.registry.Endpoint;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Builds outbound clusters and their endpoints. Registry services become EDS clusters whose
 * {@code service_name} is the cluster name; DNS ServiceEntries become STRICT_DNS clusters with
 * inline endpoints. Istio's defaults: connect timeout 10 s, round robin, no circuit breaker limits
 * beyond Envoy's own unless the DestinationRule sets them.
 */
final class ClusterBuilder {
  static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

  private ClusterBuilder() {}

  static Cluster eds(String name, EffectivePolicy policy, String hostname) {
    var c = Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()).setServiceName(name));
    return tls(applyPolicy(c, policy), policy, hostname).build();
  }

  static Cluster strictDns(String name, EffectivePolicy policy, List<Endpoint> endpoints, String hostname) {
    var c = Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STRICT_DNS)
        .setLoadAssignment(assignment(name, endpoints));
    return tls(applyPolicy(c, policy), policy, hostname).build();
  }

  private static Cluster.Builder tls(Cluster.Builder c, EffectivePolicy p, String hostname) {
    var ts = UpstreamTls.of(p.tls(), hostname);
    return ts == null ? c : c.setTransportSocket(ts);
  }

  static Cluster staticCluster(String name, String ip, int port) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.millis(DEFAULT_CONNECT_TIMEOUT_MS))
        .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name).addEndpoints(LocalityLbEndpoints.newBuilder()
            .addLbEndpoints(lbEndpoint(ip, port, 1)))).build();
  }

  static Cluster blackHole() {
    return Cluster.newBuilder().setName(Names.BLACKHOLE).setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(Protos.millis(DEFAULT_CONNECT_TIMEOUT_MS)).build();
  }

  static Cluster passthrough() {
    return Cluster.newBuilder().setName(Names.PASSTHROUGH).setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).setConnectTimeout(Protos.millis(DEFAULT_CONNECT_TIMEOUT_MS)).build();
  }

  private static Cluster.Builder applyPolicy(Cluster.Builder c, EffectivePolicy p) {
    c.setConnectTimeout(Protos.millis(DEFAULT_CONNECT_TIMEOUT_MS));
    c.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    var lb = p.loadBalancer();
    if (lb != null) {
      if (lb.consistentHash() != null) {
        c.setLbPolicy(lb.consistentHash().maglev() != null ? Cluster.LbPolicy.MAGLEV : Cluster.LbPolicy.RING_HASH);
      } else if (lb.simple() != null) {
        c.setLbPolicy(switch (lb.simple()) {
          case LEAST_CONN, LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
          case RANDOM -> Cluster.LbPolicy.RANDOM;
          case PASSTHROUGH -> Cluster.LbPolicy.CLUSTER_PROVIDED;
          default -> Cluster.LbPolicy.ROUND_ROBIN;
        });
        if (lb.simple() == LoadBalancerSettings.SimpleLB.PASSTHROUGH) {
          c.setType(Cluster.DiscoveryType.ORIGINAL_DST).clearEdsClusterConfig();
        }
      }
    }
    var pool = p.connectionPool();
    if (pool != null) {
      var t = CircuitBreakers.Thresholds.newBuilder();
      boolean any = false;
      if (pool.tcp() != null) {
        if (pool.tcp().maxConnections() != null) {
          t.setMaxConnections(UInt32Value.of(pool.tcp().maxConnections()));
          any = true;
        }
        if (pool.tcp().connectTimeout() != null) {
          c.setConnectTimeout(Protos.duration(pool.tcp().connectTimeout()));
        }
      }
      var http = pool.http();
      if (http != null) {
        if (http.http1MaxPendingRequests() != null) {
          t.setMaxPendingRequests(UInt32Value.of(http.http1MaxPendingRequests()));
          any = true;
        }
        if (http.http2MaxRequests() != null) {
          t.setMaxRequests(UInt32Value.of(http.http2MaxRequests()));
          any = true;
        }
        if (http.maxRetries() != null) {
          t.setMaxRetries(UInt32Value.of(http.maxRetries()));
          any = true;
        }
        if (http.idleTimeout() != null || http.maxRequestsPerConnection() != null) {
          var o = HttpProtocolOptions.newBuilder();
          if (http.idleTimeout() != null) {
            o.setIdleTimeout(Protos.duration(http.idleTimeout()));
          }
          if (http.maxRequestsPerConnection() != null && http.maxRequestsPerConnection() > 0) {
            o.setMaxRequestsPerConnection(UInt32Value.of(http.maxRequestsPerConnection()));
          }
          c.setCommonHttpProtocolOptions(o);
        }
      }
      if (any) {
        c.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(t));
      }
    }
    if (p.outlierDetection() != null) {
      c.setOutlierDetection(outlier(p.outlierDetection()));
      var minHealth = p.outlierDetection().minHealthPercent();
      if (minHealth != null) {
        c.setCommonLbConfig(Cluster.CommonLbConfig.newBuilder().setHealthyPanicThreshold(Percent.newBuilder().setValue(minHealth)));
      }
    }
    return c;
  }

  /** Istio's mapping: consecutive 5xx (or the deprecated consecutiveErrors) enforced at 100 %, gateway errors likewise. */
  static io.envoyproxy.envoy.config.cluster.v3.OutlierDetection outlier(OutlierDetection od) {
    var o = io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder();
    Long c5xx = od.consecutive5xxErrors() != null ? od.consecutive5xxErrors()
        : od.consecutiveErrors() != null ? Long.valueOf(od.consecutiveErrors()) : null;
    if (c5xx != null) {
      o.setConsecutive5Xx(UInt32Value.of(c5xx.intValue())).setEnforcingConsecutive5Xx(UInt32Value.of(c5xx > 0 ? 100 : 0));
    } else {
      o.setEnforcingConsecutive5Xx(UInt32Value.of(0));
    }
    if (od.consecutiveGatewayErrors() != null) {
      o.setConsecutiveGatewayFailure(UInt32Value.of(od.consecutiveGatewayErrors().intValue()))
          .setEnforcingConsecutiveGatewayFailure(UInt32Value.of(100));
    }
    if (od.consecutiveLocalOriginFailures() != null) {
      o.setConsecutiveLocalOriginFailure(UInt32Value.of(od.consecutiveLocalOriginFailures().intValue()))
          .setEnforcingConsecutiveLocalOriginFailure(UInt32Value.of(100));
    }
    if (Boolean.TRUE.equals(od.splitExternalLocalOriginErrors())) {
      o.setSplitExternalLocalOriginErrors(true);
    }
    if (od.interval() != null) {
      o.setInterval(Protos.duration(od.interval()));
    }
    if (od.baseEjectionTime() != null) {
      o.setBaseEjectionTime(Protos.duration(od.baseEjectionTime()));
    }
    if (od.maxEjectionPercent() != null) {
      o.setMaxEjectionPercent(UInt32Value.of(od.maxEjectionPercent()));
    }
    return o.build();
  }

  /**
   * Endpoints grouped by locality. Every locality gets a weight (the sum of its endpoints'),
   * because gRPC's xDS client drops localities without one.
   */
  static ClusterLoadAssignment assignment(String name, List<Endpoint> endpoints) {
    var byLocality = new LinkedHashMap<String, LocalityLbEndpoints.Builder>();
    var weights = new LinkedHashMap<String, Integer>();
    for (var e : endpoints) {
      if (!e.healthy()) {
        continue;
      }
      var loc = byLocality.computeIfAbsent(e.locality(), l -> LocalityLbEndpoints.newBuilder().setLocality(locality(l)));
      var lbe = lbEndpoint(e.address(), io.meshwork.control.registry.MeshTlsLabels.inboundPort(e.labels(), e.port()), e.weight());
      var md = TelemetryStats.endpointMetadata(e); // istio workload metadata for the source reporter's labels
      if (io.meshwork.control.registry.MeshTlsLabels.istioMtls(e.labels())) {
        // auto mTLS: this endpoint has a sidecar
        md = md == null ? MeshTls.endpointMetadata() : md.toBuilder().mergeFrom(MeshTls.endpointMetadata()).build();
      }
      loc.addLbEndpoints(md == null ? lbe : lbe.toBuilder().setMetadata(md).build());
      weights.merge(e.locality(), Math.max(1, e.weight()), Integer::sum);
    }
    var cla = ClusterLoadAssignment.newBuilder().setClusterName(name);
    byLocality.forEach((l, b) -> cla.addEndpoints(b.setLoadBalancingWeight(UInt32Value.of(weights.get(l)))));
    return cla.build();
  }

  private static Locality locality(String l) {
    var parts = l.split("/", 3);
    var b = Locality.newBuilder();
    if (!l.isEmpty()) {
      b.setRegion(parts[0]);
      if (parts.length > 1) {
        b.setZone(parts[1]);
      }
      if (parts.length > 2) {
        b.setSubZone(parts[2]);
      }
    }
    return b.build();
  }

  private static LbEndpoint lbEndpoint(String ip, int port, int weight) {
    return LbEndpoint.newBuilder()
        .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder().setAddress(Protos.address(ip, port)))
        .setLoadBalancingWeight(UInt32Value.of(Math.max(1, weight))).build();
  }
}
