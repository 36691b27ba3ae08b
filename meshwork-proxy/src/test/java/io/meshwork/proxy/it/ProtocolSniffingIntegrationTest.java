package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Protocol sniffing on ONE port (issue 3): a listener with {@code http_inspector} and two filter
 * chains, HTTP (application_protocols http/1.0, http/1.1, h2c) to an HTTP connection manager and
 * everything else to a TCP proxy whose upstream greets with a banner and echoes, like Redis.
 */
@ExtendWith(LeakDetectionExtension.class)
class ProtocolSniffingIntegrationTest {
  @RegisterExtension static FakeUpstream web = FakeUpstream.named("web");
  static ProxyHarness proxy;
  static BannerEcho echo;

  /** A server that writes "+HELLO\r\n" on connect, then echoes every line (a server-first protocol). */
  static final class BannerEcho implements AutoCloseable {
    final ServerSocket server;

    BannerEcho() throws Exception {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try {
            var s = server.accept();
            Thread.ofVirtual().start(() -> serve(s));
          } catch (Exception e) {
            return;
          }
        }
      });
    }

    private static void serve(Socket s) {
      try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
           var out = new PrintStream(s.getOutputStream(), true, StandardCharsets.ISO_8859_1)) {
        out.print("+HELLO\r\n");
        out.flush();
        String line;
        while ((line = in.readLine()) != null) {
          out.print(line + "\r\n");
          out.flush();
        }
      } catch (Exception ignored) {
        // the client went away
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  static String resource(String name) {
    try {
      return java.nio.file.Path.of(ProtocolSniffingIntegrationTest.class.getResource(name).toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String bootstrap(int echoPort) {
    var listener = """
          - name: sniff
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            listener_filters:
            - name: envoy.filters.listener.http_inspector
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector}
            listener_filters_timeout: 0.5s
            continue_on_listener_filters_timeout: true
            filter_chains:
            - filter_chain_match: {application_protocols: [http/1.0, http/1.1, h2c]}
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: sniffed_http
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: web}
                        response_headers_to_add: [{header: {key: x-chain, value: http}}]
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: sniffed_tcp
                  cluster: echo
        """;
    var crt = resource("/tls/server.crt");
    var key = resource("/tls/server.key");
    var tlsSocket = """
              transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_certificates:
                    - certificate_chain: {filename: "%s"}
                      private_key: {filename: "%s"}
        """.formatted(crt, key);
    // "sniff-tls": the tls_inspector picks the transport first (TLS terminated, then an HTTP or a
    // TCP chain); plaintext is sniffed as on "sniff". "sniff-tls-http" serves HTTPS on its tls chain.
    var tlsListeners = """
          - name: sniff-tls
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            listener_filters:
            - name: envoy.filters.listener.tls_inspector
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
            - name: envoy.filters.listener.http_inspector
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector}
            filter_chains:
            - filter_chain_match: {transport_protocol: tls}
        TLS
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: tls_tcp, cluster: echo}
            - filter_chain_match: {transport_protocol: raw_buffer, application_protocols: [http/1.1]}
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: plain_http
                  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web}, response_headers_to_add: [{header: {key: x-chain, value: plain-http}}]}]}]}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
            - filter_chain_match: {transport_protocol: raw_buffer}
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: plain_tcp, cluster: echo}
          - name: sniff-tls-http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            listener_filters:
            - name: envoy.filters.listener.tls_inspector
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
            filter_chains:
            - filter_chain_match: {transport_protocol: tls}
        TLS
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: tls_http
                  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: web}, response_headers_to_add: [{header: {key: x-chain, value: tls-http}}]}]}]}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
            - filter_chain_match: {transport_protocol: raw_buffer}
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: plain_tcp2, cluster: echo}
        """.replace("TLS\n", tlsSocket);
    listener = listener + tlsListeners;
    var echoCluster = """
        - name: echo
          connect_timeout: 1s
          type: STATIC
          load_assignment:
            cluster_name: echo
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """.formatted(echoPort);
    return ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: web}
        """, cluster("web", "ROUND_ROBIN", "web") + echoCluster)
        .replace("  clusters:\n", listener + "  clusters:\n");
  }

  @BeforeAll
  static void start() throws Exception {
    echo = new BannerEcho();
    proxy = ProxyHarness.start(bootstrap(echo.server.getLocalPort()), web);
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.close();
    echo.close();
  }

  private static String stat(String name) {
    return "listener.127.0.0.1_" + proxy.port("sniff") + ".http_inspector." + name;
  }

  @Test
  void http11IsRoutedByTheConnectionManager() throws Exception {
    long before = proxy.stat(stat("http11_found"));
    try (var c = new RawClient(proxy.port("sniff"))) {
      var res = c.get("svc", "/sniffed-h1");
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("x-chain")).isEqualTo("http");
      assertThat(res.body()).isEqualTo("web");
      // keep-alive: the second request on the connection needs no sniffing
      assertThat(c.get("svc", "/sniffed-h1-again").header("x-chain")).isEqualTo("http");
    }
    assertThat(proxy.awaitLogLine("GET /sniffed-h1 HTTP/1.1")).isNotNull();
    assertThat(proxy.stat(stat("http11_found")) - before).isEqualTo(1);
    assertThat(proxy.stat("http.sniffed_http.downstream_rq_total")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void http10IsFoundAsSuch() throws Exception {
    long before = proxy.stat(stat("http10_found"));
    try (var c = new RawClient(proxy.port("sniff"))) {
      c.write("GET /sniffed-h10 HTTP/1.0\r\nHost: svc\r\n\r\n");
      var res = c.read();
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("x-chain")).isEqualTo("http");
    }
    assertThat(proxy.stat(stat("http10_found")) - before).isEqualTo(1);
  }

  @Test
  void h2cPriorKnowledgeIsRoutedByTheConnectionManager() throws Exception {
    long before = proxy.stat(stat("http2_found"));
    try (var c = new H2cClient(proxy.port("sniff"))) {
      var res = c.send("GET", "svc", "/sniffed-h2", null);
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.headers().get("x-chain").toString()).isEqualTo("http");
      assertThat(res.body()).isEqualTo("web");
    }
    assertThat(proxy.awaitLogLine("GET /sniffed-h2 HTTP/2")).isNotNull();
    assertThat(proxy.stat(stat("http2_found")) - before).isEqualTo(1);
  }

  @Test
  void redisLikeBytesGoThroughTheTcpProxy() throws Exception {
    long before = proxy.stat(stat("http_not_found"));
    try (var s = new Socket("127.0.0.1", proxy.port("sniff"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).isEqualTo("+HELLO");
      assertThat(in.readLine()).isEqualTo("PING");
      s.getOutputStream().write("GET /not-http-any-more HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).as("later bytes are opaque too").isEqualTo("GET /not-http-any-more HTTP/1.1");
    }
    assertThat(proxy.stat(stat("http_not_found")) - before).isEqualTo(1);
    assertThat(proxy.stat("tcp.sniffed_tcp.downstream_cx_total")).isGreaterThanOrEqualTo(1);
    assertThat(web.requests()).noneMatch(r -> r.uri().contains("not-http"));
  }

  @Test
  void aRequestLineSplitOverSeveralWritesWaitsForTheWholeLine() throws Exception {
    long before = proxy.stat(stat("http11_found"));
    try (var c = new RawClient(proxy.port("sniff"))) {
      c.write("GE");
      Thread.sleep(50);
      c.write("T /slow-sn");
      Thread.sleep(50);
      c.write("iff HTTP/1.1\r\nHost: svc\r\n\r\n");
      var res = c.read();
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("x-chain")).isEqualTo("http");
    }
    assertThat(proxy.stat(stat("http11_found")) - before).isEqualTo(1);
  }

  @Test
  void aServerFirstClientGetsTheBannerAfterTheDetectionTimeout() throws Exception {
    var timeouts = "listener.127.0.0.1_" + proxy.port("sniff") + ".downstream_pre_cx_timeout";
    long before = proxy.stat(timeouts);
    long notFound = proxy.stat(stat("http_not_found"));
    try (var s = new Socket("127.0.0.1", proxy.port("sniff"))) {
      s.setSoTimeout(20_000);
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).as("the banner, after listener_filters_timeout").isEqualTo("+HELLO");
      s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("QUIT");
    }
    assertThat(proxy.stat(timeouts) - before).isEqualTo(1);
    assertThat(proxy.stat(stat("http_not_found"))).as("a timeout is not an inspector outcome").isEqualTo(notFound);
  }

  static javax.net.ssl.SSLContext trustTestCert() throws Exception {
    try (var in = ProtocolSniffingIntegrationTest.class.getResourceAsStream("/tls/server.crt")) {
      var ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
      var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      var ctx = javax.net.ssl.SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    }
  }

  @Test
  void tlsIsTerminatedOnTheTlsChainAndPlaintextIsStillSniffed() throws Exception {
    long tlsBefore = proxy.stat("tcp.tls_tcp.downstream_cx_total");
    long plainBefore = proxy.stat("tcp.plain_tcp.downstream_cx_total");
    try (var s = trustTestCert().getSocketFactory().createSocket("127.0.0.1", proxy.port("sniff-tls"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).as("TLS terminated, bytes to the TCP proxy").isEqualTo("+HELLO");
      assertThat(in.readLine()).isEqualTo("PING");
    }
    assertThat(proxy.stat("tcp.tls_tcp.downstream_cx_total") - tlsBefore).isEqualTo(1);
    try (var c = new RawClient(proxy.port("sniff-tls"))) {
      assertThat(c.get("svc", "/plain-on-tls-listener").header("x-chain")).isEqualTo("plain-http");
    }
    try (var s = new Socket("127.0.0.1", proxy.port("sniff-tls"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).isEqualTo("+HELLO");
      assertThat(in.readLine()).isEqualTo("PING");
    }
    assertThat(proxy.stat("tcp.plain_tcp.downstream_cx_total") - plainBefore).isEqualTo(1);
  }

  @Test
  void httpsIsServedByTheTlsChainsConnectionManager() throws Exception {
    var client = java.net.http.HttpClient.newBuilder().sslContext(trustTestCert()).version(java.net.http.HttpClient.Version.HTTP_2).build();
    var res = client.send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("https://localhost:" + proxy.port("sniff-tls-http") + "/over-tls")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.version()).as("ALPN on the chain's TLS").isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
    assertThat(res.headers().firstValue("x-chain")).hasValue("tls-http");
    assertThat(proxy.stat("http.tls_http.downstream_rq_total")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void anInspectedProtocolThatNoChainListsFallsToTheCatchAll() throws Exception {
    try (var s = new Socket("127.0.0.1", proxy.port("sniff-tls"))) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      assertThat(in.readLine()).as("h2c is not listed on sniff-tls: the TCP chain").isEqualTo("+HELLO");
    }
    assertThat(proxy.stat("listener.127.0.0.1_" + proxy.port("sniff-tls") + ".http_inspector.http2_found")).isEqualTo(1);
  }
}
