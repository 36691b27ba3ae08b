package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.testing.FakeUpstream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One listener, several filter chains chosen per connection as Envoy does: an HTTPS gateway port
 * with two hosts, each terminated with its own certificate by SNI and routed to its own service; a
 * TLS passthrough chain (no transport socket) relaying the untouched TLS stream by SNI to a backend
 * that terminates it itself; and a plaintext chain ({@code transport_protocol: raw_buffer}) on the
 * same port.
 */
class FilterChainMatchIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");

  private static String res(String name) throws Exception {
    return Path.of(FilterChainMatchIntegrationTest.class.getResource("/tls/" + name).toURI()).toString();
  }

  private static String tlsChain(String host, String cluster) throws Exception {
    return """
        - filter_chain_match: {server_names: ["%s"]}
          transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
              common_tls_context:
                alpn_protocols: [http/1.1]
                tls_certificates: [{certificate_chain: {filename: "%s"}, private_key: {filename: "%s"}}]
          filters:
          - name: envoy.filters.network.http_connection_manager
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
              stat_prefix: https_%s
              route_config:
                virtual_hosts: [{name: %s, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: %s}}]}]
              http_filters:
              - name: envoy.filters.http.router
                typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(host, res(host + ".crt"), res(host + ".key"), cluster, cluster, cluster);
  }

  private static String yaml() throws Exception {
    return """
        node: {id: gateway, cluster: gateway}
        static_resources:
          listeners:
          - name: https
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            listener_filters:
            - name: envoy.filters.listener.tls_inspector
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
            filter_chains:
        %s
        %s
            - filter_chain_match: {server_names: ["*.pass.example.com", "pass.example.com"]}
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: passthrough
                  cluster: passthrough
            - filter_chain_match: {transport_protocol: raw_buffer}
              filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: plain
                  route_config:
                    virtual_hosts: [{name: plain, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: b}}]}]
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
        %s
        %s
        %s
        """.formatted(tlsChain("a.example.com", "a").indent(4).stripTrailing(), tlsChain("b.example.com", "b").indent(4).stripTrailing(),
        cluster("a", "ROUND_ROBIN", "a").indent(2), cluster("b", "ROUND_ROBIN", "b").indent(2),
        cluster("passthrough", "ROUND_ROBIN", "pass").indent(2));
  }

  /** Trusts any certificate: the tests look at which one they were given. */
  private static SSLContext client() throws Exception {
    var ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String t) {}
      @Override public void checkServerTrusted(X509Certificate[] c, String t) {}
      @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }}, null);
    return ctx;
  }

  /** Connects with {@code sni}, sends one request, returns the certificate's subject and the response. */
  private static String[] exchange(int port, String sni, String path) throws Exception {
    try (var socket = (SSLSocket) client().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      var params = socket.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(sni)));
      socket.setSSLParameters(params);
      socket.startHandshake();
      var subject = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String[] {subject, new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)};
    }
  }

  @Test
  void eachHttpsHostGetsItsOwnCertificateAndServiceBySni() throws Exception {
    try (var backend = new TlsBackend(); var proxy = ProxyHarness.start(yaml().replace("${pass}", Integer.toString(backend.port())), a, b)) {
      var toA = exchange(proxy.port("https"), "a.example.com", "/for-a");
      assertThat(toA[0]).isEqualTo("CN=a.example.com");
      assertThat(toA[1]).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\na");
      var toB = exchange(proxy.port("https"), "b.example.com", "/for-b");
      assertThat(toB[0]).isEqualTo("CN=b.example.com");
      assertThat(toB[1]).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nb");
      assertThat(a.requests()).extracting(r -> r.uri()).contains("/for-a").doesNotContain("/for-b");
      assertThat(b.requests()).extracting(r -> r.uri()).contains("/for-b").doesNotContain("/for-a");
    }
  }

  @Test
  void anUnknownServerNameMatchesNoChainAndIsClosed() throws Exception {
    try (var backend = new TlsBackend(); var proxy = ProxyHarness.start(yaml().replace("${pass}", Integer.toString(backend.port())), a, b)) {
      assertThatThrownBy(() -> exchange(proxy.port("https"), "c.example.com", "/nowhere")).isInstanceOf(IOException.class);
      var scope = "listener.127.0.0.1_" + proxy.port("https") + ".";
      ProxyHarness.await(() -> proxy.stat(scope + "no_filter_chain_match") == 1);
      assertThat(proxy.stat(scope + "no_filter_chain_match")).isEqualTo(1);
      assertThat(proxy.server().stats().snapshot().keySet())
          .as("one scope, Envoy's listener.ADDRESS_PORT.: no second copy under the listener's name")
          .noneMatch(name -> name.startsWith("listener.https."));
    }
  }

  @Test
  void passthroughRelaysTheTlsStreamToABackendThatTerminatesIt() throws Exception {
    try (var backend = new TlsBackend(); var proxy = ProxyHarness.start(yaml().replace("${pass}", Integer.toString(backend.port())), a, b)) {
      var exact = exchange(proxy.port("https"), "pass.example.com", "/through");
      assertThat(exact[0]).as("the backend's certificate: the proxy did not terminate").isEqualTo("CN=pass.example.com");
      assertThat(exact[1]).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 30\r\nConnection: close\r\n\r\n"
          + "backend saw GET /through HTTP/");
      var wildcard = exchange(proxy.port("https"), "api.pass.example.com", "/wild");
      assertThat(wildcard[0]).isEqualTo("CN=pass.example.com");
      assertThat(wildcard[1]).endsWith("\r\n\r\nbackend saw GET /wild HTTP/1.1");
      assertThat(backend.serverNames()).containsExactly("pass.example.com", "api.pass.example.com");
    }
  }

  @Test
  void plaintextOnTheSamePortTakesTheRawBufferChain() throws Exception {
    try (var backend = new TlsBackend(); var proxy = ProxyHarness.start(yaml().replace("${pass}", Integer.toString(backend.port())), a, b);
        var client = new RawClient(proxy.port("https"))) {
      var response = client.get("plain.example.com", "/plain");
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("b");
      assertThat(b.requests()).extracting(r -> r.uri()).contains("/plain");
    }
  }

  @Test
  void aClientThatSendsNothingIsClosedAfterTheListenerFiltersTimeout() throws Exception {
    var yaml = yaml().replace("    listener_filters:\n", "    listener_filters_timeout: 0.5s\n    listener_filters:\n");
    try (var backend = new TlsBackend(); var proxy = ProxyHarness.start(yaml.replace("${pass}", Integer.toString(backend.port())), a, b);
        var silent = new java.net.Socket("127.0.0.1", proxy.port("https"))) {
      silent.setSoTimeout(20_000);
      assertThat(silent.getInputStream().read()).as("closed by the proxy, nothing written").isEqualTo(-1);
      var timeouts = "listener.127.0.0.1_" + proxy.port("https") + ".downstream_pre_cx_timeout";
      ProxyHarness.await(() -> proxy.stat(timeouts) == 1);
      assertThat(proxy.stat(timeouts)).isEqualTo(1);
      assertThat(a.requests()).isEmpty();
      assertThat(b.requests()).isEmpty();
    }
  }

  /** A TLS server with its own certificate (pass.example.com): answers one request line per connection. */
  private static final class TlsBackend implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;

    TlsBackend() throws Exception {
      var ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      var cert = CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(res("pass.example.com.crt")))));
      var pem = Files.readString(Path.of(res("pass.example.com.key"))).replaceAll("-----[A-Z ]+-----|\\s", "");
      var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      ks.setKeyEntry("k", key, new char[0], new java.security.cert.Certificate[] {cert});
      var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      server = ctx.getServerSocketFactory().createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      thread = Thread.ofVirtual().start(this::serve);
    }

    int port() {
      return server.getLocalPort();
    }

    List<String> serverNames() {
      return names;
    }

    private void serve() {
      while (!server.isClosed()) {
        try (var s = (SSLSocket) server.accept()) {
          s.setSoTimeout(20_000);
          s.startHandshake();
          var requested = ((javax.net.ssl.ExtendedSSLSession) s.getSession()).getRequestedServerNames();
          names.add(requested.isEmpty() ? "" : ((SNIHostName) requested.getFirst()).getAsciiName());
          var line = new StringBuilder();
          int c;
          while ((c = s.getInputStream().read()) > 0 && c != '\n' && line.length() < 30) {
            line.append((char) c);
          }
          var body = ("backend saw " + line.toString().strip() + " ".repeat(30)).substring(0, 30);
          s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 30\r\nConnection: close\r\n\r\n" + body)
              .getBytes(StandardCharsets.ISO_8859_1));
          s.getOutputStream().flush();
        } catch (IOException e) {
          // closed, or a client went away: serve the next one
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      thread.interrupt();
    }
  }
}
