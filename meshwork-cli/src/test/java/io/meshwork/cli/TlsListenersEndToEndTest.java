package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.control.translate.Translator;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.xds.XdsConfigBuilder;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsSnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Istio YAML through the translator into a proxy, then TLS traffic: the listeners that share a port
 * by SNI (HTTPS gateway servers, TLS passthrough with VirtualService {@code tls} routes,
 * MESH_EXTERNAL HTTPS ServiceEntries on 443) are accepted by the proxy (before, any listener with
 * several filter chains was refused, so the whole config was NACKed) and each connection takes its
 * chain. The translator's {@code 0.0.0.0:PORT} listeners are moved to {@code 127.0.0.1:0} before
 * the proxy builds them (a test cannot bind 443); nothing else of the translated config is changed.
 */
class TlsListenersEndToEndTest {
  private final List<AutoCloseable> closers = new java.util.ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (var c : closers.reversed()) {
      c.close();
    }
  }

  private static String res(String name) throws Exception {
    return Path.of(TlsListenersEndToEndTest.class.getResource("/tls/" + name).toURI()).toString();
  }

  private static ProxyResources translate(String yaml, NodeInfo node) {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(r.errors()).isEmpty();
    return Translator.translate(MeshContext.of(store.snapshot(), true), node);
  }

  /** Builds and starts the proxy for the translated resources; every port listener on 127.0.0.1:0. */
  private ProxyServer proxy(ProxyResources r) throws Exception {
    var server = ProxyServer.start(build(r).config(), 1, System.out);
    closers.add(server::close);
    return server;
  }

  private static XdsConfigBuilder.Built build(ProxyResources r) throws Exception {
    var listeners = new HashMap<String, Listener>();
    for (var e : r.listeners().entrySet()) {
      var l = e.getValue().toBuilder();
      l.getAddressBuilder().getSocketAddressBuilder().setAddress("127.0.0.1").setPortValue(0);
      listeners.put(e.getKey(), l.build());
    }
    var snapshot = new XdsSnapshot(listeners, r.routes(), r.clusters(), r.endpoints(), Map.of());
    return XdsConfigBuilder.build(snapshot, 1, new XdsConfigBuilder.Options("test", null, false, Set.of()));
  }

  private static String service(String name, int port, int targetPort) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s}
        spec:
          selector: {app: %1$s}
          ports:
          - {name: %2$s, port: %3$d}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-1}
        spec:
          address: 127.0.0.1
          labels: {app: %1$s}
          ports: {%2$s: %4$d}
        ---
        """.formatted(name, port == 443 ? "tls" : "http", port, targetPort);
  }

  @Test
  void gatewayServesTwoHttpsHostsWithTheirCertificatesAndPassesTlsThroughBySni() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var b = FakeUpstream.named("b").start();
    closers.add(b::close);
    var backend = new TlsBackend(res("pass.example.com.crt"), res("pass.example.com.key"));
    closers.add(backend);
    var yaml = service("svc-a", 80, a.port()) + service("svc-b", 80, b.port()) + service("db", 443, backend.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https-a, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: SIMPLE, serverCertificate: "%s", privateKey: "%s"}
          - port: {number: 443, name: https-b, protocol: HTTPS}
            hosts: [b.example.com]
            tls: {mode: SIMPLE, serverCertificate: "%s", privateKey: "%s"}
          - port: {number: 8443, name: tls, protocol: TLS}
            hosts: [pass.example.com]
            tls: {mode: PASSTHROUGH}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: a}
        spec:
          hosts: [a.example.com]
          gateways: [gw]
          http:
          - route:
            - destination: {host: svc-a}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: b}
        spec:
          hosts: [b.example.com]
          gateways: [gw]
          http:
          - route:
            - destination: {host: svc-b}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: db}
        spec:
          hosts: [pass.example.com]
          gateways: [gw]
          tls:
          - match:
            - sniHosts: [pass.example.com]
            route:
            - destination: {host: db, port: {number: 443}}
        """.formatted(res("a.example.com.crt"), res("a.example.com.key"), res("b.example.com.crt"), res("b.example.com.key"));
    var gw = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var r = translate(yaml, gw);
    assertThat(r.listeners().get("0.0.0.0_443").getFilterChainsCount()).isEqualTo(2);
    var proxy = proxy(r);

    var toA = TlsProbe.exchange(proxy.listenerPort("0.0.0.0_443"), "a.example.com", "/for-a");
    assertThat(toA[0]).isEqualTo("CN=a.example.com");
    assertThat(toA[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    var toB = TlsProbe.exchange(proxy.listenerPort("0.0.0.0_443"), "b.example.com", "/for-b");
    assertThat(toB[0]).isEqualTo("CN=b.example.com");
    assertThat(toB[1]).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nb");
    assertThat(a.requests()).extracting(q -> q.uri()).containsExactly("/for-a");
    assertThat(b.requests()).extracting(q -> q.uri()).containsExactly("/for-b");

    var through = TlsProbe.exchange(proxy.listenerPort("0.0.0.0_8443"), "pass.example.com", "/db");
    assertThat(through[0]).as("the backend's own certificate: the gateway did not terminate").isEqualTo("CN=pass.example.com");
    assertThat(through[1]).endsWith("\r\n\r\nbackend saw GET /db HTTP/1.1");
  }

  @Test
  void aCredentialNameServerWaitsForItsSecretWhileTheGatewaysOtherPortsServe() throws Exception {
    var a = FakeUpstream.named("a").start();
    closers.add(a::close);
    var yaml = service("svc-a", 80, a.port()) + """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [a.example.com]
            tls: {mode: SIMPLE, credentialName: cert-a}
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [a.example.com]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: a}
        spec:
          hosts: [a.example.com]
          gateways: [gw]
          http:
          - route:
            - destination: {host: svc-a}
        """;
    var gw = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "127.0.0.1", Map.of()).asGateway();
    var built = build(translate(yaml, gw)); // before: the kubernetes:// secret failed the whole push
    assertThat(built.unbound()).containsKey("0.0.0.0_443");
    assertThat(built.unbound().get("0.0.0.0_443")).startsWith("warming: waits for the SDS secret \"kubernetes://cert-a\"");
    var server = ProxyServer.start(built.config(), 1, System.out);
    closers.add(server::close);
    try (var s = new java.net.Socket("127.0.0.1", server.listenerPort("0.0.0.0_80"))) {
      s.setSoTimeout(20_000);
      s.getOutputStream().write("GET /plain HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").endsWith("\r\n\r\na");
    }
  }

  @Test
  void twoExternalHttpsServicesOnPort443AreRoutedBySni() throws Exception {
    var one = new TlsBackend(res("a.example.com.crt"), res("a.example.com.key"));
    closers.add(one);
    var two = new TlsBackend(res("b.example.com.crt"), res("b.example.com.key"));
    closers.add(two);
    var yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext-a}
        spec:
          hosts: [a.example.com]
          location: MESH_EXTERNAL
          resolution: STATIC
          ports:
          - {number: 443, name: https, protocol: HTTPS}
          endpoints:
          - address: 127.0.0.1
            ports: {https: %d}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: ext-b}
        spec:
          hosts: [b.example.com]
          location: MESH_EXTERNAL
          resolution: STATIC
          ports:
          - {number: 443, name: https, protocol: HTTPS}
          endpoints:
          - address: 127.0.0.1
            ports: {https: %d}
        """.formatted(one.port(), two.port());
    var r = translate(yaml, NodeInfo.sidecar("app-v1", "default", Map.of("app", "app"), "127.0.0.1", Map.of()));
    assertThat(r.listeners().get("0.0.0.0_443").getFilterChainsCount()).isGreaterThanOrEqualTo(2);
    var proxy = proxy(r); // before: "exactly one filter chain is supported", the whole push refused

    var toA = TlsProbe.exchange(proxy.listenerPort("0.0.0.0_443"), "a.example.com", "/x");
    assertThat(toA[0]).isEqualTo("CN=a.example.com");
    assertThat(toA[1]).endsWith("backend saw GET /x HTTP/1.1");
    var toB = TlsProbe.exchange(proxy.listenerPort("0.0.0.0_443"), "b.example.com", "/y");
    assertThat(toB[0]).isEqualTo("CN=b.example.com");
    assertThat(toB[1]).endsWith("backend saw GET /y HTTP/1.1");
    assertThat(one.serverNames()).containsExactly("a.example.com");
    assertThat(two.serverNames()).containsExactly("b.example.com");
  }

  /** A TLS server with its own certificate: answers each connection's request line with a 30-byte body. */
  static final class TlsBackend implements AutoCloseable {
    private final ServerSocket server;
    private final List<String> names = new java.util.concurrent.CopyOnWriteArrayList<>();

    TlsBackend(String crt, String keyFile) throws Exception {
      var ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      var cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(Files.readAllBytes(Path.of(crt))));
      var pem = Files.readString(Path.of(keyFile)).replaceAll("-----[A-Z ]+-----|\\s", "");
      var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      ks.setKeyEntry("k", key, new char[0], new java.security.cert.Certificate[] {cert});
      var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      server = ctx.getServerSocketFactory().createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
      Thread.ofVirtual().start(this::serve);
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
          var body = ("backend saw " + line.toString().strip() + " ".repeat(30)).substring(0, 30).strip();
          s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
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
    }
  }
}
