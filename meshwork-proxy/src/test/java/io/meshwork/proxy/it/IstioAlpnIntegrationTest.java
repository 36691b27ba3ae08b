package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two proxies over TLS, as a sniffed port between sidecars: the client's clusters offer only
 * {@code istio} (they may carry raw TCP too), its connection manager carries Istio's
 * {@code istio.alpn}; the server serves {@code tls} + {@code [istio-http/1.1, istio-h2]} on an HTTP
 * chain and other TLS on a TCP chain. HTTP/1.1 and HTTP/2 upstream connections each offer their
 * override and reach the HTTP chain; the server negotiates {@code istio} (the one ALPN both name) and
 * tells HTTP/2 from HTTP/1.1 by the preface, as Envoy's AUTO codec.
 */
class IstioAlpnIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness server;
  static ProxyHarness client;

  /** What Istio sets on the clusters of ports of unknown protocol: the upstream speaks what the downstream spoke. */
  static final String DOWNSTREAM_PROTOCOL = "typed_extension_protocol_options: {envoy.extensions.upstreams.http.v3.HttpProtocolOptions: "
      + "{\"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions, "
      + "use_downstream_protocol_config: {http_protocol_options: {}, http2_protocol_options: {}}}}";

  static String tlsSocket(String crt, String key) {
    return """
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    alpn_protocols: [h2, http/1.1, istio-peer-exchange, istio]
                    tls_certificates:
                    - certificate_chain: {filename: "%s"}
                      private_key: {filename: "%s"}
        """.formatted(crt, key);
  }

  static String upstreamCluster(String name, String protocolOptions, String crt) {
    return """
          - name: %s
            connect_timeout: 5s
            type: STATIC
            %s
            load_assignment:
              cluster_name: %s
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${mesh}}}}}]}]
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                sni: localhost
                common_tls_context:
                  alpn_protocols: [istio]
                  validation_context: {trusted_ca: {filename: "%s"}}
        """.formatted(name, protocolOptions, name, crt);
  }

  @BeforeAll
  static void start() throws Exception {
    var crt = Path.of(IstioAlpnIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(IstioAlpnIntegrationTest.class.getResource("/tls/server.key").toURI()).toString();
    var serverYaml = """
        node: {id: server, cluster: test}
        static_resources:
          listeners:
          - name: mesh
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filter_chain_match: {transport_protocol: tls, application_protocols: [istio-http/1.0, istio-http/1.1, istio-h2]}
        %s
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: mesh_http
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
                  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: backend}}]}]}
                  http_filters:
                  - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
            - filter_chain_match: {transport_protocol: tls}
        %s
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: mesh_tcp
                  cluster: backend
          clusters:
          - name: backend
            connect_timeout: 1s
            type: STATIC
            load_assignment: {cluster_name: backend, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]}
        """.formatted(tlsSocket(crt, key), tlsSocket(crt, key));
    server = ProxyHarness.start(serverYaml, a);
    var clientYaml = """
        node: {id: client, cluster: test}
        static_resources:
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: outbound
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - {match: {prefix: "/h2"}, route: {cluster: mesh-h2}}
                      - {match: {prefix: "/auto"}, route: {cluster: mesh-auto}}
                      - {match: {prefix: "/"}, route: {cluster: mesh-h1}}
                  http_filters:
                  - name: istio.alpn
                    typed_config:
                      "@type": type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig
                      alpn_override:
                      - {upstream_protocol: HTTP10, alpn_override: [istio-http/1.0, istio]}
                      - {upstream_protocol: HTTP11, alpn_override: [istio-http/1.1, istio]}
                      - {upstream_protocol: HTTP2, alpn_override: [istio-h2, istio]}
                  - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
          clusters:
        %s%s%s""".formatted(upstreamCluster("mesh-h1", "", crt), upstreamCluster("mesh-h2", "http2_protocol_options: {}", crt),
            upstreamCluster("mesh-auto", DOWNSTREAM_PROTOCOL, crt))
        .replace("${mesh}", Integer.toString(server.port("mesh")));
    client = ProxyHarness.start(clientYaml);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void http11AndHttp2UpstreamsOfferTheirOverrideAndReachTheServersHttpChain() throws Exception {
    a.respondWith(r -> Reply.ok("up:" + r.uri()));
    long before = server.stat("http.mesh_http.downstream_rq_total");
    try (var c = client.client()) {
      var h1 = c.get("kv", "/items/1");
      assertThat(h1.status()).isEqualTo(200);
      assertThat(h1.body()).isEqualTo("up:/items/1");
      var h2 = c.get("kv", "/h2/items/2");
      assertThat(h2.status()).as(h2.body()).isEqualTo(200);
      assertThat(h2.body()).isEqualTo("up:/h2/items/2");
    }
    assertThat(server.awaitLogLine("\"GET /items/1 HTTP/1.1\"")).as("served by the server's HTTP chain").isNotNull();
    assertThat(server.awaitLogLine("\"GET /h2/items/2 HTTP/2\"")).as("HTTP/2 told by its preface").isNotNull();
    assertThat(server.stat("http.mesh_http.downstream_rq_total")).isEqualTo(before + 2);
  }

  /**
   * A cluster that follows the downstream protocol (a sniffed port's, carrying gRPC and HTTP/1.1
   * alike): an h2c request goes upstream as HTTP/2 offering {@code istio-h2}, an HTTP/1.1 request as
   * HTTP/1.1 offering {@code istio-http/1.1}, each on its own connection (never one for the other).
   */
  @Test
  void aClusterThatFollowsTheDownstreamProtocolKeepsHttp2AndHttp11ApartUpstream() throws Exception {
    a.respondWith(r -> Reply.ok("up:" + r.uri()));
    try (var h2c = new H2cClient(client.port("http")); var h1 = client.client()) {
      for (int i = 0; i < 2; i++) {
        var r2 = h2c.send("GET", "kv", "/auto/grpc-like/" + i, null);
        assertThat(r2.status()).as(r2.body()).isEqualTo(200);
        var r1 = h1.get("kv", "/auto/plain/" + i);
        assertThat(r1.status()).as(r1.body()).isEqualTo(200);
      }
    }
    for (int i = 0; i < 2; i++) {
      assertThat(server.awaitLogLine("\"GET /auto/grpc-like/" + i + " HTTP/2\"")).isNotNull();
      assertThat(server.awaitLogLine("\"GET /auto/plain/" + i + " HTTP/1.1\"")).isNotNull();
    }
  }
}
