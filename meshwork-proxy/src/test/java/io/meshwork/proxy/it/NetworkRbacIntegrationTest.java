package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code envoy.filters.network.rbac} before {@code tcp_proxy}, in plaintext and behind TLS (where the
 * decision waits for the handshake): an allowed connection is relayed, a denied one is closed
 * before the upstream sees a connection or a byte.
 */
class NetworkRbacIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");

  static String yaml(String action, boolean tls) throws Exception {
    var crt = Path.of(NetworkRbacIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(NetworkRbacIntegrationTest.class.getResource("/tls/server.key").toURI()).toString();
    var transport = !tls ? "" : """
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_certificates: [{certificate_chain: {filename: "%s"}, private_key: {filename: "%s"}}]
        """.formatted(crt, key);
    return """
        static_resources:
          listeners:
          - name: tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
        %s
              filters:
              - name: envoy.filters.network.rbac
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC
                  stat_prefix: "tcp."
                  rules:
                    action: %s
                    policies:
                      loopback:
                        permissions: [{any: true}]
                        principals: [{direct_remote_ip: {address_prefix: 127.0.0.0, prefix_len: 8}}]
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: t
                  cluster: backend
          clusters:
        %s
        """.formatted(tls ? transport.stripTrailing() : "    -", action, cluster("backend", "ROUND_ROBIN", "a").indent(2));
  }

  static SSLContext trustTestCert() throws Exception {
    try (InputStream in = NetworkRbacIntegrationTest.class.getResourceAsStream("/tls/server.crt")) {
      var ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      var ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return ssl;
    }
  }

  static String exchange(java.net.Socket s) throws Exception {
    s.setSoTimeout(10_000);
    s.getOutputStream().write("GET /rbac HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    try {
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException reset) {
      return "";
    }
  }

  @Test
  void plaintext() throws Exception {
    try (var proxy = ProxyHarness.start(yaml("ALLOW", false), a)) {
      try (var s = new java.net.Socket("127.0.0.1", proxy.port("tcp"))) {
        assertThat(exchange(s)).startsWith("HTTP/1.1 200 OK");
      }
      assertThat(proxy.stat("tcp.rbac.allowed")).isEqualTo(1);
    }
    int connections = a.connections();
    try (var proxy = ProxyHarness.start(yaml("DENY", false), a)) {
      try (var s = new java.net.Socket("127.0.0.1", proxy.port("tcp"))) {
        assertThat(exchange(s)).isEmpty();
      }
      assertThat(proxy.stat("tcp.rbac.denied")).isEqualTo(1);
    }
    assertThat(a.connections()).as("a denied connection never reaches the upstream").isEqualTo(connections);
  }

  @Test
  void behindTlsTheDecisionFollowsTheHandshake() throws Exception {
    var ssl = trustTestCert();
    try (var proxy = ProxyHarness.start(yaml("ALLOW", true), a)) {
      try (var s = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", proxy.port("tcp"))) {
        assertThat(exchange(s)).startsWith("HTTP/1.1 200 OK");
      }
      assertThat(proxy.stat("tcp.rbac.allowed")).isEqualTo(1);
    }
    int connections = a.connections();
    try (var proxy = ProxyHarness.start(yaml("DENY", true), a)) {
      try (var s = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", proxy.port("tcp"))) {
        s.startHandshake(); // the handshake completes; then the connection is closed unrelayed
        assertThat(exchange(s)).isEmpty();
      }
      assertThat(proxy.stat("tcp.rbac.denied")).isEqualTo(1);
    }
    assertThat(a.connections()).isEqualTo(connections);
  }
}
