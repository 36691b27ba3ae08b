package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same routes served over h2c (prior knowledge), h2 over TLS (ALPN) and HTTP/1.1 over TLS. */
class Http2AndTlsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;
  static SSLContext trustTestCert;

  @BeforeAll
  static void start() throws Exception {
    var crt = Path.of(Http2AndTlsIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(Http2AndTlsIntegrationTest.class.getResource("/tls/server.key").toURI()).toString();
    var routes = """
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """;
    var yaml = ProxyHarness.http(routes, cluster("backend", "ROUND_ROBIN", "a"));
    // A second listener, "https": the same routes behind TLS (ALPN h2 and http/1.1).
    var https = """
          - name: https
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_certificates:
                    - certificate_chain: {filename: "%s"}
                      private_key: {filename: "%s"}
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: secure
                  access_log:
                  - name: envoy.access_loggers.stdout
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog}
                  route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [{match: {prefix: "/"}, route: {cluster: backend}}]}]}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(crt, key);
    int clustersStart = yaml.indexOf("  clusters:\n");
    proxy = ProxyHarness.start(yaml.substring(0, clustersStart) + https + yaml.substring(clustersStart), a);
    try (InputStream in = Http2AndTlsIntegrationTest.class.getResourceAsStream("/tls/server.crt")) {
      var ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      trustTestCert = SSLContext.getInstance("TLS");
      trustTestCert.init(null, tmf.getTrustManagers(), null);
    }
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void h2cWithPriorKnowledgeIsRoutedAndStreamsShareTheConnection() throws Exception {
    a.respondWith(r -> Reply.ok("h2:" + r.uri() + ":" + r.body()).withHeaders(Map.of("x-up", "1")));
    try (var c = new H2cClient(proxy.port("http"))) {
      var r1 = c.send("POST", "svc.example", "/one?x=1", "payload");
      assertThat(r1.status()).isEqualTo(200);
      assertThat(r1.body()).isEqualTo("h2:/one?x=1:payload");
      assertThat(r1.headers().get("x-up").toString()).isEqualTo("1");
      assertThat(r1.headers().contains("connection")).isFalse();
      var r2 = c.send("GET", "svc.example", "/two", null);
      assertThat(r2.body()).isEqualTo("h2:/two:");
    }
    var rec = a.requests().getFirst();
    assertThat(rec.header("host")).isEqualTo("svc.example");
    assertThat(proxy.awaitLogLine("\"POST /one?x=1 HTTP/2\"")).contains("\" 200 - 7 ");
  }

  @Test
  void h2cNoRouteAndDirectErrorsWork() throws Exception {
    try (var c = new H2cClient(proxy.port("http"))) {
      a.respondWith(Reply.status(503));
      assertThat(c.send("GET", "x", "/fail", null).status()).isEqualTo(503);
    }
  }

  @Test
  void h2OverTlsIsNegotiatedWithAlpn() throws Exception {
    var client = HttpClient.newBuilder().sslContext(trustTestCert).version(HttpClient.Version.HTTP_2).build();
    var res = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port("https") + "/secure-h2")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("a");
    assertThat(proxy.stat("http.secure.downstream_rq_total")).isGreaterThanOrEqualTo(1);
    assertThat(proxy.awaitLogLine("\"GET /secure-h2 HTTP/2\"")).isNotNull();
  }

  @Test
  void http11OverTlsFallsBackWhenTheClientOffersOnlyHttp11() throws Exception {
    var client = HttpClient.newBuilder().sslContext(trustTestCert).version(HttpClient.Version.HTTP_1_1).build();
    var res = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port("https") + "/secure-h1")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(proxy.awaitLogLine("\"GET /secure-h1 HTTP/1.1\"")).isNotNull();
  }

  @Test
  void plainHttp11StillWorksOnTheAutoListener() throws Exception {
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/plain-h1").status()).isEqualTo(200);
    }
  }
}
