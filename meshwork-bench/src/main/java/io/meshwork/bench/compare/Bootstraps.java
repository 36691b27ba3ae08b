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

  /**
   * The server side of the mTLS rows: TLS with the server's SPIFFE certificate, client
   * certificates required and verified against the bench root (Istio's STRICT inbound).
   */
  public static String mtlsServer(String node, int port, int adminPort, int upstream, MeshCertificates certs) {
    return http(node, port, adminPort, "ROUND_ROBIN", List.of(upstream)).replace("""
            filter_chains:
            - filters:
        ""","""
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  require_client_certificate: true
                  common_tls_context:
                    alpn_protocols: [h2, http/1.1, istio-peer-exchange, istio]
                    tls_certificates:
                    - certificate_chain: {filename: %s}
                      private_key: {filename: %s}
                    validation_context:
                      trusted_ca: {filename: %s}
              filters:
        """.formatted(certs.serverCert(), certs.serverKey(), certs.root()));
  }

  /**
   * The client side of the mTLS rows: originates mTLS with the client's certificate, verifies the
   * server's chain and its SPIFFE URI SAN, offers Istio's ALPN (auto mTLS as the control plane writes it).
   */
  public static String mtlsClient(String node, int port, int adminPort, int upstream, MeshCertificates certs) {
    return http(node, port, adminPort, "ROUND_ROBIN", List.of(upstream)) + """
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                sni: outbound_.8080_._.bench-server.bench.svc.cluster.local
                common_tls_context:
                  alpn_protocols: [istio-http/1.1, istio, http/1.1]
                  tls_certificates:
                  - certificate_chain: {filename: %s}
                    private_key: {filename: %s}
                  validation_context:
                    trusted_ca: {filename: %s}
                    match_typed_subject_alt_names:
                    - san_type: URI
                      matcher: {exact: "%s"}
        """.formatted(certs.clientCert(), certs.clientKey(), certs.root(), certs.serverIdentity());
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
