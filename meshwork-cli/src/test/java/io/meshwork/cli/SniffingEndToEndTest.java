package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.xds.client.NodeInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Protocol sniffing through the whole mesh (issue 3): a Service whose only port has no name, an
 * in-process control plane, and a proxy following it over xDS with an upstream bind for that
 * service. HTTP and raw TCP go to the same bind address; HTTP is routed by the VirtualService's
 * http route (its response header shows it), TCP bytes reach the backend untouched.
 */
class SniffingEndToEndTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: kv}
      spec:
        selector: {app: kv}
        ports:
        - {port: 7000, targetPort: %d}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: kv-1}
      spec:
        address: 127.0.0.1
        labels: {app: kv}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: kv}
      spec:
        hosts: [kv]
        http:
        - headers:
            response:
              add: {x-sniffed: http}
          route:
          - destination: {host: kv}
      """;

  /** Answers HTTP/1.1 requests with "backend" and echoes any other line: one port, two protocols. */
  static final class DualBackend implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger httpRequests = new AtomicInteger();
    final AtomicInteger echoedLines = new AtomicInteger();

    DualBackend() throws Exception {
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

    private void serve(Socket s) {
      try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))) {
        OutputStream out = s.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
          if (line.matches("[A-Z]+ \\S+ HTTP/1\\.[01]")) {
            int length = 0;
            for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
              if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).strip());
              }
            }
            in.skip(length); // bodies here are ASCII: chars are bytes
            httpRequests.incrementAndGet();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nbackend".getBytes(StandardCharsets.US_ASCII));
          } else {
            echoedLines.incrementAndGet();
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          }
          out.flush();
        }
      } catch (Exception ignored) {
        // the peer went away
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  DualBackend backend;
  ControlPlane cp;
  XdsProxy proxy;
  int bindPort;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    backend = new DualBackend();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", MESH.formatted(backend.server.getLocalPort())));
    assertThat(result.errors()).isEmpty();
    try (var s = new ServerSocket(0)) {
      bindPort = s.getLocalPort();
    }
    var node = NodeInfo.sidecar("client-v1", "default", Map.of("app", "client"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("kv:7000", "127.0.0.1:" + bindPort));
    proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out, System.err);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).as("first config from the control plane").isTrue();
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    cp.close();
    backend.close();
  }

  /** The first config may not hold the bind listener yet: retry until it answers. */
  HttpResponse<String> awaitHttp() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/items/1"))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (java.io.IOException e) {
        last = e;
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the bind listener for kv:7000 never answered", last);
  }

  @Test
  void httpAndTcpShareTheUnnamedPort() throws Exception {
    var res = awaitHttp();
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("backend");
    assertThat(res.headers().firstValue("x-sniffed")).as("routed by the HTTP connection manager").hasValue("http");
    assertThat(res.headers().firstValue("x-envoy-upstream-service-time")).isPresent();
    int httpBefore = backend.httpRequests.get();

    try (var s = new Socket("127.0.0.1", bindPort)) {
      s.setSoTimeout(10_000);
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      s.getOutputStream().write("PING\r\nSET k v\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).isEqualTo("PING");
      assertThat(in.readLine()).isEqualTo("SET k v");
    }
    assertThat(backend.echoedLines.get()).isEqualTo(2);
    assertThat(backend.httpRequests.get()).as("TCP bytes never went through the HTTP path").isEqualTo(httpBefore);

    var stats = proxy.server().stats();
    var prefix = "listener.127.0.0.1_" + bindPort + ".http_inspector.";
    assertThat(stats.value(prefix + "http11_found")).isGreaterThanOrEqualTo(1);
    assertThat(stats.value(prefix + "http_not_found")).isEqualTo(1);
  }
}
