package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Route timeout, per-try timeout and client disconnect (DC, upstream cancelled) with HTTP/2 clients:
 * h2c with prior knowledge on the plain listener and h2 negotiated by ALPN on a TLS listener. The
 * HTTP/1.1 versions are in {@link ResilienceIntegrationTest}.
 */
@ExtendWith(LeakDetectionExtension.class)
class Http2ResilienceIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  static ProxyHarness proxy;
  static SSLContext trustTestCert;
  static final Pattern LOG = Pattern.compile("\"[^\"]*\" (\\d+) (\\S+) ");

  @BeforeAll
  static void start() throws Exception {
    var crt = Path.of(Http2ResilienceIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(Http2ResilienceIntegrationTest.class.getResource("/tls/server.key").toURI()).toString();
    var routes = """
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/timeout"}
            route: {cluster: backend, timeout: 0.2s}
          - match: {prefix: "/pertry"}
            route: {cluster: backend, timeout: 20s, retry_policy: {retry_on: 5xx, num_retries: 2, per_try_timeout: 0.5s, retry_back_off: {base_interval: 0.001s}}}
          - match: {prefix: "/"}
            route: {cluster: backend, timeout: 10s}
        """;
    var yaml = ProxyHarness.http(routes, cluster("backend", "ROUND_ROBIN", "a", "b"));
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
                  route_config:
        %s
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(crt, key, routes.lines().map(l -> " ".repeat(12) + l).collect(java.util.stream.Collectors.joining("\n")));
    int clustersStart = yaml.indexOf("  clusters:\n");
    proxy = ProxyHarness.start(yaml.substring(0, clustersStart) + https + yaml.substring(clustersStart), a, b);
    try (InputStream in = Http2ResilienceIntegrationTest.class.getResourceAsStream("/tls/server.crt")) {
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

  private long stat(String name) {
    return proxy.stat("cluster.backend." + name);
  }

  private String flagsOfLine(String path) throws InterruptedException {
    var line = proxy.awaitLogLine("\"GET " + path + " HTTP/2\"");
    assertThat(line).as("HTTP/2 access log line for " + path).isNotNull();
    var m = LOG.matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(2);
  }

  private HttpClient tlsClient() {
    return HttpClient.newBuilder().sslContext(trustTestCert).version(HttpClient.Version.HTTP_2).build();
  }

  private HttpRequest tlsGet(String path) {
    return HttpRequest.newBuilder(URI.create("https://localhost:" + proxy.port("https") + path)).build();
  }

  private void never() {
    a.respondWith(Reply.never());
    b.respondWith(Reply.never());
  }

  /** The first request (on either host) is never answered, every later one is. */
  private void firstNeverThenOk() {
    var n = new AtomicInteger();
    java.util.function.Function<io.meshwork.testing.RecordedRequest, Reply> script =
        r -> n.getAndIncrement() == 0 ? Reply.never() : Reply.ok("second");
    a.respondWith(script);
    b.respondWith(script);
  }

  private void assertTimedOut(String path, long timeoutsBefore) throws InterruptedException {
    assertThat(stat("upstream_rq_timeout") - timeoutsBefore).isEqualTo(1);
    assertThat(flagsOfLine(path)).isEqualTo("UT");
    ProxyHarness.await(() -> a.abandoned() + b.abandoned() == 1);
    assertThat(a.abandoned() + b.abandoned()).as("the upstream request is cancelled").isEqualTo(1);
  }

  @Test
  void routeTimeoutOverH2c() throws Exception {
    never();
    long timeouts = stat("upstream_rq_timeout");
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("GET", "x", "/timeout/h2c", null);
      assertThat(res.status()).isEqualTo(504);
      assertThat(res.body()).isEqualTo("upstream request timeout");
    }
    assertTimedOut("/timeout/h2c", timeouts);
  }

  @Test
  void routeTimeoutOverH2WithTls() throws Exception {
    never();
    long timeouts = stat("upstream_rq_timeout");
    try (var client = tlsClient()) {
      var res = client.send(tlsGet("/timeout/tls"), HttpResponse.BodyHandlers.ofString());
      assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(res.statusCode()).isEqualTo(504);
      assertThat(res.body()).isEqualTo("upstream request timeout");
    }
    assertTimedOut("/timeout/tls", timeouts);
  }

  @Test
  void perTryTimeoutRetriesOverH2c() throws Exception {
    firstNeverThenOk();
    long perTry = stat("upstream_rq_per_try_timeout");
    try (var c = new H2cClient(proxy.port("http"))) {
      var res = c.send("GET", "x", "/pertry/h2c", null);
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("second");
    }
    // The first try never gets an answer; a later one may also stall past 0.5 s on a loaded machine.
    assertThat(stat("upstream_rq_per_try_timeout") - perTry).isBetween(1L, 2L);
  }

  @Test
  void perTryTimeoutRetriesOverH2WithTls() throws Exception {
    firstNeverThenOk();
    long perTry = stat("upstream_rq_per_try_timeout");
    try (var client = tlsClient()) {
      var res = client.send(tlsGet("/pertry/tls"), HttpResponse.BodyHandlers.ofString());
      assertThat(res.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("second");
    }
    // The first try never gets an answer; a later one may also stall past 0.5 s on a loaded machine.
    assertThat(stat("upstream_rq_per_try_timeout") - perTry).isBetween(1L, 2L);
  }

  private void assertCancelledWithDc(String path, long cancelledBefore) throws InterruptedException {
    ProxyHarness.await(() -> a.abandoned() + b.abandoned() == 1);
    assertThat(a.abandoned() + b.abandoned()).as("the upstream request is cancelled").isEqualTo(1);
    ProxyHarness.await(() -> stat("upstream_rq_cancelled") - cancelledBefore == 1);
    assertThat(stat("upstream_rq_cancelled") - cancelledBefore).isEqualTo(1);
    assertThat(flagsOfLine(path)).isEqualTo("DC");
  }

  @Test
  void aResetStreamCancelsTheUpstreamRequestWithDcOverH2c() throws Exception {
    never();
    long cancelled = stat("upstream_rq_cancelled");
    try (var c = new H2cClient(proxy.port("http"))) {
      var stream = c.start("GET", "x", "/slow/h2c");
      ProxyHarness.await(() -> a.requests().size() + b.requests().size() == 1);
      assertThat(a.requests().size() + b.requests().size()).isEqualTo(1);
      c.reset(stream);
      assertCancelledWithDc("/slow/h2c", cancelled);
    }
  }

  @Test
  void aClosedTlsConnectionCancelsTheUpstreamRequestWithDcOverH2() throws Exception {
    never();
    long cancelled = stat("upstream_rq_cancelled");
    var client = tlsClient();
    client.sendAsync(tlsGet("/slow/tls"), HttpResponse.BodyHandlers.ofString());
    ProxyHarness.await(() -> a.requests().size() + b.requests().size() == 1);
    assertThat(a.requests().size() + b.requests().size()).isEqualTo(1);
    client.shutdownNow();
    assertCancelledWithDc("/slow/tls", cancelled);
  }
}
