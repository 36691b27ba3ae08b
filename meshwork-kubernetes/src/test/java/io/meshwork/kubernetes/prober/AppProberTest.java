package io.meshwork.kubernetes.prober;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health port relays the kubelet's probes: to the proxy's admin /ready, and to the app as the injector recorded them. */
class AppProberTest {
  HttpServer app;
  AppProber prober;
  final AtomicInteger adminReady = new AtomicInteger(503);
  final AtomicReference<String> probeHeader = new AtomicReference<>();
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/healthz", ex -> {
      probeHeader.set(ex.getRequestHeaders().getFirst("X-Probe"));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    app.createContext("/broken", ex -> {
      ex.sendResponseHeaders(500, -1);
      ex.close();
    });
    app.createContext("/ready", ex -> {
      ex.sendResponseHeaders(adminReady.get(), -1);
      ex.close();
    });
    app.start();
    int port = app.getAddress().getPort();
    var probers = """
        {"/app-health/vote/readyz": {"httpGet": {"path": "/healthz", "port": %d, "scheme": "HTTP",
           "httpHeaders": [{"name": "X-Probe", "value": "readiness"}]}, "timeoutSeconds": 2},
         "/app-health/vote/livez": {"httpGet": {"path": "/broken", "port": %d, "scheme": "HTTP"}},
         "/app-health/gone/readyz": {"httpGet": {"path": "/", "port": 1}}}""".formatted(port, port);
    prober = AppProber.start("127.0.0.1", 0, URI.create("http://127.0.0.1:" + port + "/ready"), probers);
  }

  @AfterEach
  void stop() {
    prober.close();
    app.stop(0);
    client.close();
  }

  int get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prober.port() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void proxyReadinessFollowsTheAdminReadyEndpoint() throws Exception {
    assertThat(get("/healthz/ready")).isEqualTo(503);
    adminReady.set(200);
    assertThat(get("/healthz/ready")).isEqualTo(200);
  }

  @Test
  void appProbesAreRelayedWithTheirHeaders() throws Exception {
    assertThat(get("/app-health/vote/readyz")).isEqualTo(200);
    assertThat(probeHeader.get()).isEqualTo("readiness");
    assertThat(get("/app-health/vote/livez")).isEqualTo(503);
    assertThat(get("/app-health/gone/readyz")).as("app not listening").isEqualTo(503);
    assertThat(get("/app-health/unknown/readyz")).isEqualTo(404);
  }
}
