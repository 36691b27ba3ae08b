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

  private final String watchedPrefix;

  /**
   * {@code onRoute} receives each route configuration with only the virtual hosts whose name
   * starts with {@code watchedPrefix} (see {@link #watched}).
   */
  SimulatedProxy(String target, NodeInfo info, String watchedPrefix, Consumer<RouteConfiguration> onRoute) {
    this.watchedPrefix = watchedPrefix;
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
            onRoute.accept(watched(any.getValue()));
          }
          ack(r, null);
        }
        default -> ack(r, null);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The route configuration's name and the virtual hosts whose name starts with the watched
   * prefix, decoded; every other virtual host is stepped over in the wire format (its length is
   * read, its bytes skipped) after reading its name. Every byte of the configuration has arrived
   * and every virtual host is looked at, so the change is seen where a proxy would see it, but 999
   * of 1,000 virtual hosts are not turned into objects: decoding them all was 38 % of the CPU of a
   * change with the 1,000 simulated proxies sharing the control plane's cores.
   */
  RouteConfiguration watched(com.google.protobuf.ByteString bytes) throws java.io.IOException {
    var out = RouteConfiguration.newBuilder();
    var in = bytes.newCodedInput();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      int field = com.google.protobuf.WireFormat.getTagFieldNumber(tag);
      if (field == RouteConfiguration.NAME_FIELD_NUMBER) {
        out.setName(in.readStringRequireUtf8());
      } else if (field == RouteConfiguration.VIRTUAL_HOSTS_FIELD_NUMBER) {
        var vh = in.readBytes();
        if (startsWithWatched(vh)) {
          out.addVirtualHosts(io.envoyproxy.envoy.config.route.v3.VirtualHost.parseFrom(vh));
        }
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    return out.build();
  }

  /** Whether a serialized VirtualHost's name (field 1, written first) starts with {@link #watchedPrefix}. */
  private boolean startsWithWatched(com.google.protobuf.ByteString vh) throws java.io.IOException {
    var in = vh.newCodedInput();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) == io.envoyproxy.envoy.config.route.v3.VirtualHost.NAME_FIELD_NUMBER) {
        return in.readStringRequireUtf8().startsWith(watchedPrefix);
      }
      if (!in.skipField(tag)) {
        return false;
      }
    }
    return false;
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
