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

/** TLS termination in front of an opaque TCP proxy: the client's bytes arrive decrypted upstream. */
class TlsTcpProxyIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");

  @Test
  void tlsIsTerminatedAndBytesRelayed() throws Exception {
    var crt = Path.of(getClass().getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(getClass().getResource("/tls/server.key").toURI()).toString();
    var yaml = """
        static_resources:
          listeners:
          - name: tls-tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    tls_certificates: [{certificate_chain: {filename: "%s"}, private_key: {filename: "%s"}}]
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: tls_tcp
                  cluster: backend
          clusters:
        %s
        """.formatted(crt, key, cluster("backend", "ROUND_ROBIN", "a").indent(2));
    try (var proxy = ProxyHarness.start(yaml, a)) {
      SSLContext ssl;
      try (InputStream in = getClass().getResourceAsStream("/tls/server.crt")) {
        var ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
      }
      try (var socket = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", proxy.port("tls-tcp"))) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /via-tls HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        var response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(response).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\na");
      }
      assertThat(a.requests()).singleElement().satisfies(r -> assertThat(r.uri()).isEqualTo("/via-tls"));
    }
  }
}
