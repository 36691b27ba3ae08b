package io.meshwork.cli.demo;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapException;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The L4 routing mesh of {@code --mode routing}, as Docker Swarm's ingress/VIP mesh and kube-proxy
 * build it: one virtual address per service, each connection sent to the next replica in turn
 * (round robin), bytes copied both ways. It is the benchmark's "L4 routing mesh" row (our proxy with
 * a TcpProxy listener and a ROUND_ROBIN STATIC cluster, see meshwork-bench's {@code Bootstraps.tcp}),
 * with one listener and cluster per service: no mTLS, no HTTP parsing, so no request routing,
 * retries, canary weights, request metrics or traces. What it can count is connections per service
 * and per replica (admin {@code /stats/prometheus}, {@code /clusters}).
 */
public final class RoutingMesh implements AutoCloseable {
  /** A service's virtual address and its replicas. */
  public record Service(String name, InetSocketAddress vip, List<InetSocketAddress> replicas) {}

  private final ProxyServer server;

  private RoutingMesh(ProxyServer server) {
    this.server = server;
  }

  /** Starts one proxy (one event loop, so the round robin is one sequence) serving every service. */
  public static RoutingMesh start(List<Service> services, InetSocketAddress admin, PrintStream accessLog)
      throws ProxyStartException {
    try {
      var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("routing mesh", bootstrap(services, admin)), 1);
      return new RoutingMesh(ProxyServer.start(config, 1, accessLog));
    } catch (BootstrapException | ConfigException e) {
      throw new IllegalStateException("the routing mesh's generated bootstrap was refused: " + e.getMessage(), e);
    }
  }

  /** The Envoy-shaped bootstrap: per service a TcpProxy listener on its VIP and a ROUND_ROBIN cluster. */
  static String bootstrap(List<Service> services, InetSocketAddress admin) {
    var sb = new StringBuilder("""
        node: {id: routing-mesh, cluster: routing-mesh}
        admin:
          address: {socket_address: {address: %s, port_value: %d}}
        static_resources:
          listeners:
        """.formatted(admin.getHostString(), admin.getPort()));
    for (var s : services) {
      sb.append("""
            - name: %1$s
              address: {socket_address: {address: %2$s, port_value: %3$d}}
              filter_chains:
              - filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: %1$s
                    cluster: %1$s
          """.formatted(s.name(), s.vip().getHostString(), s.vip().getPort()));
    }
    sb.append("  clusters:\n");
    for (var s : services) {
      sb.append("""
            - name: %1$s
              connect_timeout: 2s
              type: STATIC
              lb_policy: ROUND_ROBIN
              load_assignment:
                cluster_name: %1$s
                endpoints:
                - lb_endpoints:
          """.formatted(s.name()));
      for (var r : s.replicas()) {
        sb.append("          - endpoint: {address: {socket_address: {address: ").append(r.getHostString())
            .append(", port_value: ").append(r.getPort()).append("}}}\n");
      }
    }
    return sb.toString();
  }

  public int adminPort() {
    return server.adminPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
