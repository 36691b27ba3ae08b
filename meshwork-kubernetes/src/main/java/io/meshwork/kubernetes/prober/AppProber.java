package io.meshwork.kubernetes.prober;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The kubelet's HTTP probes, relayed. {@code GET /healthz/ready} answers 200 when the proxy's
 * admin {@code /ready} does (so the pod is Ready only once the proxy has its configuration);
 * {@code GET /app-health/...} performs the original probe from {@code ISTIO_KUBE_APP_PROBERS}
 * against {@code 127.0.0.1} and answers 200 for a 2xx/3xx, as the kubelet would judge it, else
 * 503. HTTPS app probes are not verified, as the kubelet does not verify them either.
 */
public final class AppProber implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient client;

  private AppProber(HttpServer server, HttpClient client) {
    this.server = server;
    this.client = client;
  }

  /**
   * @param readyUrl the proxy's admin readiness URL, or null to answer ready once started
   * @param probersJson the {@code ISTIO_KUBE_APP_PROBERS} value, or null
   */
  public static AppProber start(String host, int port, URI readyUrl, String probersJson) throws IOException {
    JsonNode probers = probersJson == null || probersJson.isBlank() ? ConfigLoader.JSON.createObjectNode()
        : ConfigLoader.JSON.readTree(probersJson);
    var client = HttpClient.newBuilder().sslContext(insecure()).connectTimeout(Duration.ofSeconds(1)).build();
    var server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    var prober = new AppProber(server, client);
    server.createContext("/healthz/ready", ex -> prober.ready(ex, readyUrl));
    server.createContext("/app-health/", ex -> prober.app(ex, probers));
    server.start();
    return prober;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void ready(HttpExchange ex, URI readyUrl) throws IOException {
    try (ex) {
      if (readyUrl == null) {
        reply(ex, 200, "ready");
        return;
      }
      reply(ex, get(readyUrl, null, Duration.ofSeconds(1)) == 200 ? 200 : 503, "");
    }
  }

  private void app(HttpExchange ex, JsonNode probers) throws IOException {
    try (ex) {
      var probe = probers.get(ex.getRequestURI().getPath());
      if (probe == null) {
        reply(ex, 404, "no app probe is registered at " + ex.getRequestURI().getPath());
        return;
      }
      var get = probe.path("httpGet");
      var scheme = get.path("scheme").asText("HTTP").toLowerCase(java.util.Locale.ROOT);
      var path = get.path("path").asText("/");
      var uri = URI.create(scheme + "://127.0.0.1:" + get.path("port").asInt(80) + (path.startsWith("/") ? path : "/" + path));
      var timeout = Duration.ofSeconds(Math.max(1, probe.path("timeoutSeconds").asInt(1)));
      int status = get(uri, get.path("httpHeaders"), timeout);
      reply(ex, status >= 200 && status < 400 ? 200 : 503, "app answered " + (status < 0 ? "nothing" : Integer.toString(status)));
    }
  }

  private int get(URI uri, JsonNode headers, Duration timeout) {
    try {
      var b = HttpRequest.newBuilder(uri).timeout(timeout).GET();
      if (headers != null) {
        for (var h : headers) {
          b.header(h.path("name").asText(), h.path("value").asText());
        }
      }
      return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | IllegalArgumentException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }

  private static SSLContext insecure() {
    try {
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    client.close();
  }
}
