package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.telemetry.IstioMetric;
import io.meshwork.proxy.telemetry.PeerExchange;
import io.meshwork.proxy.telemetry.WorkloadMetadata;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * Istio's TCP metadata exchange on an inbound TLS TCP listener: a client that negotiates ALPN
 * {@code istio-peer-exchange} sends its frame (here in the same write as its first bytes), gets
 * the proxy's frame back, and its bytes then flow unchanged; the proxy's istio_tcp_* metrics carry
 * the client's workload as source. Without that ALPN no frame is exchanged and the source stays
 * {@code unknown}, as in Istio.
 */
class TcpPeerExchangeIntegrationTest {
  static final WorkloadMetadata CLIENT = new WorkloadMetadata("sidecar~10.0.0.9~productpage-v1-5d8c.default~default.svc.cluster.local",
      "productpage-v1-5d8c", "productpage-v1", "default", Map.of("app", "productpage", "version", "v1"), "bookinfo-productpage",
      "Kubernetes", "");

  @Test
  void exchangeOverAlpnGivesTheSourceWorkloadAndLeavesTheBytesAlone() throws Exception {
    try (var echo = MeshPair.Echo.start(); var proxy = start(echo.port())) {
      try (var socket = connect(proxy, "istio-peer-exchange")) {
        assertThat(socket.getApplicationProtocol()).isEqualTo("istio-peer-exchange");
        var out = socket.getOutputStream();
        var frame = PeerExchange.encode(UnpooledByteBufAllocator.DEFAULT, CLIENT);
        var bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        var withData = new ByteArrayOutputStream();
        withData.write(bytes);
        withData.write("hello".getBytes(StandardCharsets.US_ASCII));
        out.write(withData.toByteArray());
        out.flush();
        var in = new DataInputStream(socket.getInputStream());
        assertThat(in.readInt()).isEqualTo(0x3D230467);
        var payload = new byte[in.readInt()];
        in.readFully(payload);
        var server = PeerExchange.decodePayload(payload);
        assertThat(server.workload()).isEqualTo("reviews-v1");
        assertThat(server.labels()).containsEntry("app", "reviews");
        var echoed = new byte[5];
        in.readFully(echoed);
        assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("hello");
      }
      var dest = Map.of("reporter", "destination", "source_workload", "productpage-v1", "source_app", "productpage",
          "source_version", "v1", "destination_workload", "reviews-v1", "request_protocol", "tcp");
      var metrics = proxy.telemetry().metrics();
      ProxyHarness.await(() -> metrics.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, dest) == 1);
      assertThat(metrics.counterSum(IstioMetric.TCP_CONNECTIONS_OPENED, dest)).isEqualTo(1);
      assertThat(metrics.counterSum(IstioMetric.TCP_RECEIVED_BYTES, dest)).isEqualTo(5);
      assertThat(metrics.counterSum(IstioMetric.TCP_SENT_BYTES, dest)).isEqualTo(5);
    }
  }

  @Test
  void withoutTheAlpnNothingIsExchangedAndTheSourceIsUnknown() throws Exception {
    try (var echo = MeshPair.Echo.start(); var proxy = start(echo.port())) {
      try (var socket = connect(proxy, "http/1.1")) {
        socket.getOutputStream().write("plain".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        var echoed = new byte[5];
        new DataInputStream(socket.getInputStream()).readFully(echoed);
        assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("plain");
      }
      var dest = Map.of("reporter", "destination", "source_workload", "unknown", "destination_workload", "reviews-v1");
      ProxyHarness.await(() -> proxy.telemetry().metrics().counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, dest) == 1);
      assertThat(proxy.telemetry().metrics().counterSum(IstioMetric.TCP_RECEIVED_BYTES, dest)).isEqualTo(5);
    }
  }

  /**
   * The client side: an app that writes as soon as it connects (as Redis and PostgreSQL clients
   * do) reaches the upstream before the TLS handshake is over. Its bytes must follow the proxy's
   * exchange frame, not precede it: otherwise the server side sees no frame (source unknown) and
   * the frame reaches the app as data (a Redis protocol error, PostgreSQL's "received unencrypted
   * data after SSL request").
   */
  @Test
  void bytesWrittenBeforeTheUpstreamHandshakeFollowTheExchangeFrame() throws Exception {
    try (var echo = MeshPair.Echo.start(); var server = start(echo.port()); var client = startClient(server.listenerPort("inbound_tcp"))) {
      for (int i = 0; i < 3; i++) {
        try (var socket = new java.net.Socket("127.0.0.1", client.listenerPort("outbound_tcp"))) {
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          var echoed = new byte[5];
          new DataInputStream(socket.getInputStream()).readFully(echoed);
          assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("hello");
        }
      }
      var dest = Map.of("reporter", "destination", "source_workload", "productpage-v1", "destination_workload", "reviews-v1");
      var metrics = server.telemetry().metrics();
      ProxyHarness.await(() -> metrics.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, dest) == 3);
      assertThat(metrics.counterSum(IstioMetric.TCP_RECEIVED_BYTES, dest)).as("only the app's bytes reached the app").isEqualTo(15);
      assertThat(metrics.counterSum(IstioMetric.TCP_CONNECTIONS_OPENED, Map.of("reporter", "destination", "source_workload", "unknown")))
          .isZero();
    }
  }

  static ProxyServer startClient(int serverPort) throws Exception {
    var ca = Path.of(TcpPeerExchangeIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var yaml = MeshPair.node("productpage-v1-5d8c", "productpage-v1", "bookinfo-productpage", "productpage", "v1") + """
        static_resources:
          listeners:
          - name: outbound_tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: "outbound|6379||redis"
                  cluster: "outbound|6379||redis"
          clusters:
          - name: "outbound|6379||redis"
            connect_timeout: 1s
            type: STATIC
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                sni: localhost
                common_tls_context:
                  alpn_protocols: [istio-peer-exchange, istio]
                  validation_context: {trusted_ca: {filename: "%s"}}
            load_assignment:
              cluster_name: "outbound|6379||redis"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """.formatted(ca, serverPort);
    return ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("client.yaml", yaml), 1), 1,
        new PrintStream(new ByteArrayOutputStream(), true));
  }

  static ProxyServer start(int echoPort) throws Exception {
    var crt = Path.of(TcpPeerExchangeIntegrationTest.class.getResource("/tls/server.crt").toURI()).toString();
    var key = Path.of(TcpPeerExchangeIntegrationTest.class.getResource("/tls/server.key").toURI()).toString();
    var yaml = MeshPair.node("reviews-v1-7f9b", "reviews-v1", "bookinfo-reviews", "reviews", "v1") + """
        static_resources:
          listeners:
          - name: inbound_tcp
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            traffic_direction: INBOUND
            filter_chains:
            - transport_socket:
                name: envoy.transport_sockets.tls
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                  common_tls_context:
                    alpn_protocols: [istio-peer-exchange, http/1.1]
                    tls_certificates: [{certificate_chain: {filename: "%s"}, private_key: {filename: "%s"}}]
              filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: "inbound|6379||"
                  cluster: "inbound|6379||"
          clusters:
          - name: "inbound|6379||"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: "inbound|6379||"
              endpoints:
              - lb_endpoints:
                - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}
        """.formatted(crt, key, echoPort);
    return ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("x.yaml", yaml), 1), 1,
        new PrintStream(new ByteArrayOutputStream(), true));
  }

  static SSLSocket connect(ProxyServer proxy, String alpn) throws Exception {
    SSLContext ssl;
    try (InputStream in = TcpPeerExchangeIntegrationTest.class.getResourceAsStream("/tls/server.crt")) {
      var ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
    }
    var socket = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", proxy.listenerPort("inbound_tcp"));
    var params = socket.getSSLParameters();
    params.setApplicationProtocols(new String[] {alpn});
    socket.setSSLParameters(params);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }
}
