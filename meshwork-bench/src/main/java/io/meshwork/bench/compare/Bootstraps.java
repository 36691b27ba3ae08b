package io.meshwork.bench.compare;

import java.util.List;

/**
 * Envoy-shaped bootstrap files for our proxy in each scenario: an HTTP listener (HttpConnectionManager
 * with one catch-all route, no access log, as Istio's benchmark runs) or a TcpProxy listener, a
 * STATIC cluster and a loopback admin address whose {@code /ready} marks the proxy ready.
 */
public final class Bootstraps {
  private Bootstraps() {}

  /** An HTTP sidecar hop: listener on {@code port} forwards everything to the cluster's endpoints. */
  public static String http(String node, int port, int adminPort, String lbPolicy, List<Integer> upstreams) {
    return head(node, adminPort) + """
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: bench
                  route_config:
                    name: bench
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: upstream}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(port) + cluster(lbPolicy, upstreams);
  }

  /** The routing-mesh row: a TcpProxy listener (the virtual address) balancing connections over the upstreams. */
  public static String tcp(String node, int port, int adminPort, String lbPolicy, List<Integer> upstreams) {
    return head(node, adminPort) + """
          listeners:
          - name: tcp
            address: {socket_address: {address: 127.0.0.1, port_value: %d}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: bench
                  cluster: upstream
        """.formatted(port) + cluster(lbPolicy, upstreams);
  }

  private static String head(String node, int adminPort) {
    return """
        node: {id: %s, cluster: bench}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: %d}}
        static_resources:
        """.formatted(node, adminPort);
  }

  private static String cluster(String lbPolicy, List<Integer> upstreams) {
    var sb = new StringBuilder("""
          clusters:
          - name: upstream
            connect_timeout: 1s
            type: STATIC
            lb_policy: %s
            load_assignment:
              cluster_name: upstream
              endpoints:
              - lb_endpoints:
        """.formatted(lbPolicy));
    for (int p : upstreams) {
      sb.append("        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ").append(p).append("}}}\n");
    }
    return sb.toString();
  }
}
