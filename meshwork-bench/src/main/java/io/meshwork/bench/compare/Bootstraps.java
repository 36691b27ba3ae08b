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

  /** Istio's tracing default: 1% random sampling (the mesh's {@code defaultConfig.tracing.sampling}). */
  public static final double DEFAULT_MESH_SAMPLING_PERCENT = 1.0;

  /** The inbound cluster name Istio gives the server side's local app. */
  static final String INBOUND_CLUSTER = "inbound|8080||";
  /** The outbound cluster name Istio gives the client side's route to the server. */
  static final String OUTBOUND_CLUSTER = "outbound|8080||bench-server.bench.svc.cluster.local";

  /**
   * The server side of row 6 (the default mesh): {@link #mtlsServer} plus what a default Istio
   * install adds to an inbound listener, so its per-request work is the one a real sidecar does:
   * workload metadata in the node (so istio_* labels are filled, not "unknown"), an INBOUND listener
   * to an {@code inbound|8080||} cluster (reporter="destination", peer metadata read from the request
   * and answered in the response), the {@code istio.stats} filter, and tracing at 1% to a Zipkin sink.
   */
  public static String mtlsTelemetryServer(String node, int port, int adminPort, int upstream, MeshCertificates certs, int zipkinPort) {
    return telemetry(mtlsServer(node, port, adminPort, upstream, certs), "bench-server", "INBOUND", INBOUND_CLUSTER, zipkinPort);
  }

  /**
   * The client side of row 6: {@link #mtlsClient} plus an OUTBOUND listener to an
   * {@code outbound|8080||HOST} cluster (reporter="source", peer metadata sent with each request),
   * the {@code istio.stats} filter and tracing at 1% to the same Zipkin sink.
   */
  public static String mtlsTelemetryClient(String node, int port, int adminPort, int upstream, MeshCertificates certs, int zipkinPort) {
    return telemetry(mtlsClient(node, port, adminPort, upstream, certs), "bench-client", "OUTBOUND", OUTBOUND_CLUSTER, zipkinPort);
  }

  private static String telemetry(String yaml, String workload, String direction, String clusterName, int zipkinPort) {
    var nodeLine = yaml.lines().filter(l -> l.startsWith("node: {id: ")).findFirst().orElseThrow();
    var id = nodeLine.substring("node: {id: ".length(), nodeLine.indexOf(','));
    yaml = replaceLine(yaml, "node: {id: " + id + ", cluster: bench}", """
        node:
          id: %2$s
          cluster: %1$s.bench
          metadata:
            NAME: %1$s-1
            NAMESPACE: bench
            WORKLOAD_NAME: %1$s
            SERVICE_ACCOUNT: %1$s
            MESH_ID: cluster.local
            CLUSTER_ID: Kubernetes
            LABELS: {app: %1$s, version: v1, service.istio.io/canonical-name: %1$s, service.istio.io/canonical-revision: v1}
        """.formatted(workload, id));
    yaml = replaceLine(yaml, "- name: http", "- name: http\n  traffic_direction: " + direction + "\n");
    yaml = replaceLine(yaml, "stat_prefix: bench", """
        stat_prefix: bench
        tracing:
          random_sampling: {value: %s}
          provider:
            name: envoy.tracers.zipkin
            typed_config:
              "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
              collector_cluster: zipkin
              collector_endpoint: /api/v2/spans
              collector_endpoint_version: HTTP_JSON
        """.formatted(DEFAULT_MESH_SAMPLING_PERCENT));
    // istio.stats goes first in the filter list (the router stays last), at the list items' indentation
    yaml = replaceLine(yaml, "- name: envoy.filters.http.router", """
        - name: istio.stats
          typed_config:
            "@type": type.googleapis.com/xds.type.v3.TypedStruct
            type_url: type.googleapis.com/stats.PluginConfig
            value: {stat_prefix: istio}
        - name: envoy.filters.http.router
        """);
    yaml = replaceLine(yaml, "route: {cluster: upstream}", "route: {cluster: \"" + clusterName + "\"}\n");
    // as Istio writes an inbound cluster: the services selecting this workload, for destination_service on the server side
    yaml = replaceLine(yaml, "- name: upstream", "- name: \"" + clusterName + "\"\n" + (!direction.equals("INBOUND") ? "" : """
          metadata:
            filter_metadata:
              istio:
                services: [{host: bench-server.bench.svc.cluster.local, name: bench-server, namespace: bench}]
        """));
    var clusterIndent = indentOf(yaml, "- name: \"" + clusterName + "\"");
    return yaml + indent("""
        - name: zipkin
          connect_timeout: 1s
          type: STATIC
          load_assignment:
            cluster_name: zipkin
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """.formatted(zipkinPort), clusterIndent);
  }

  /**
   * Replaces the one line whose text (without indentation) is {@code line} with {@code block},
   * indented as that line was; a template that no longer holds exactly one such line is a bug here.
   */
  private static String replaceLine(String yaml, String line, String block) {
    var lines = yaml.lines().toList();
    int found = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(line)) {
        if (found >= 0) {
          throw new IllegalStateException("bootstrap template holds \"" + line + "\" twice");
        }
        found = i;
      }
    }
    if (found < 0) {
      throw new IllegalStateException("bootstrap template lost the line \"" + line + "\"");
    }
    var sb = new StringBuilder();
    for (int i = 0; i < lines.size(); i++) {
      sb.append(i == found ? indent(block, indentOf(lines.get(i))) : lines.get(i) + "\n");
    }
    return sb.toString();
  }

  private static int indentOf(String yaml, String line) {
    return yaml.lines().filter(l -> l.strip().equals(line)).findFirst().map(Bootstraps::indentOf).orElseThrow();
  }

  private static int indentOf(String line) {
    return line.length() - line.stripLeading().length();
  }

  private static String indent(String block, int n) {
    var pad = " ".repeat(n);
    var sb = new StringBuilder();
    block.lines().forEach(l -> sb.append(pad).append(l).append('\n'));
    return sb.toString();
  }

  /**
   * The same bootstrap with its {@code upstream} cluster speaking HTTP/2 (prior knowledge), as the
   * control plane configures a gRPC or h2 port, so h2c and gRPC load stays HTTP/2 end to end.
   */
  public static String http2Upstream(String yaml) {
    var policy = yaml.lines().filter(l -> l.strip().startsWith("lb_policy: ")).findFirst().orElseThrow().strip();
    return replaceLine(yaml, policy, policy + "\n" + """
        typed_extension_protocol_options:
          envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
            "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
            explicit_http_config: {http2_protocol_options: {}}
        """);
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
