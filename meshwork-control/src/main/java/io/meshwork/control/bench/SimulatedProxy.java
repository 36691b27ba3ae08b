package io.meshwork.control.bench;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A light simulated sidecar for the scale benchmark: one ADS state-of-the-world stream that
 * subscribes like Envoy (CDS and LDS wildcard, then the EDS and RDS names they reference), ACKs
 * every response and hands each route configuration to a callback, but keeps nothing else.
 *
 * <p>Why not {@link io.meshwork.xds.client.XdsClient}: the full client keeps every parsed
 * resource, about 5 MB per proxy at 1,000 services, so 1,000 of them in the benchmark's JVM need
 * 5 GB and spend the shared 2 cores on work a real mesh does on 1,000 other machines. Like
 * istio's own load tests (pilot-load), the simulation keeps the protocol and drops the proxy.
 */
final class SimulatedProxy implements AutoCloseable {
  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final io.envoyproxy.envoy.config.core.v3.Node node;
  private final Consumer<RouteConfiguration> onRoute;

  SimulatedProxy(String target, NodeInfo info, Consumer<RouteConfiguration> onRoute) {
    this.channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    this.node = info.toNode();
    this.onRoute = onRoute;
    this.requests = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(new StreamObserver<>() {
      @Override
      public void onNext(DiscoveryResponse r) {
        onResponse(r);
      }

      @Override
      public void onError(Throwable t) {
        // the benchmark ends by closing the channel
      }

      @Override
      public void onCompleted() {}
    });
    send(ProxyResources.CLUSTER, "", "", List.of());
    send(ProxyResources.LISTENER, "", "", List.of());
  }

  private synchronized void send(String type, String version, String nonce, List<String> names) {
    requests.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).setVersionInfo(version).setResponseNonce(nonce)
        .addAllResourceNames(names).build());
  }

  private void onResponse(DiscoveryResponse r) {
    try {
      switch (r.getTypeUrl()) {
        case ProxyResources.CLUSTER -> {
          var eds = new TreeSet<String>();
          for (var any : r.getResourcesList()) {
            var c = any.unpack(Cluster.class);
            if (c.getType() == Cluster.DiscoveryType.EDS) {
              eds.add(c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName() : c.getEdsClusterConfig().getServiceName());
            }
          }
          ack(r, List.of());
          subscribed.put(ProxyResources.ENDPOINT, List.copyOf(eds));
          send(ProxyResources.ENDPOINT, "", "", List.copyOf(eds));
        }
        case ProxyResources.LISTENER -> {
          var rds = new TreeSet<String>();
          for (var any : r.getResourcesList()) {
            for (var fc : any.unpack(Listener.class).getFilterChainsList()) {
              for (var f : fc.getFiltersList()) {
                if (f.getTypedConfig().is(HttpConnectionManager.class)) {
                  var hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
                  if (hcm.hasRds()) {
                    rds.add(hcm.getRds().getRouteConfigName());
                  }
                }
              }
            }
          }
          ack(r, List.of());
          subscribed.put(ProxyResources.ROUTE, List.copyOf(rds));
          send(ProxyResources.ROUTE, "", "", List.copyOf(rds));
        }
        case ProxyResources.ROUTE -> {
          for (var any : r.getResourcesList()) {
            onRoute.accept(any.unpack(RouteConfiguration.class));
          }
          ack(r, null);
        }
        default -> ack(r, null);
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** ACKs a response; {@code names} null keeps the subscription the server knows (an ACK of RDS/EDS repeats it). */
  private final java.util.Map<String, List<String>> subscribed = new java.util.concurrent.ConcurrentHashMap<>();

  private void ack(DiscoveryResponse r, List<String> names) {
    var n = names != null ? names : subscribed.getOrDefault(r.getTypeUrl(), List.of());
    send(r.getTypeUrl(), r.getVersionInfo(), r.getNonce(), n);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
