package io.meshwork.kubernetes.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.kubernetes.install.Names;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * HTTPS server for the admission webhooks (the JDK's server, one virtual thread per request).
 * {@code POST /inject} and {@code POST /validate} take and return AdmissionReview JSON; a body
 * that is not JSON is a 400, other methods 405. Bodies over 3 MiB (the API server's own limit)
 * are refused.
 */
public final class WebhookServer implements AutoCloseable {
  private static final int MAX_BODY = 3 * 1024 * 1024;
  private final HttpsServer server;

  private WebhookServer(HttpsServer server) {
    this.server = server;
  }

  public static WebhookServer start(String host, int port, SSLContext tls, AdmissionHandler handler) throws IOException {
    var server = HttpsServer.create(new InetSocketAddress(host, port), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(Names.INJECT_PATH, ex -> serve(ex, handler::inject));
    server.createContext(Names.VALIDATE_PATH, ex -> serve(ex, handler::validate));
    server.start();
    return new WebhookServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void serve(HttpExchange ex, Function<JsonNode, ObjectNode> handler) throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("POST")) {
        reply(ex, 405, "{\"error\":\"use POST with an AdmissionReview\"}");
        return;
      }
      var body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        reply(ex, 413, "{\"error\":\"the AdmissionReview is larger than 3 MiB\"}");
        return;
      }
      JsonNode review;
      try {
        review = ConfigLoader.JSON.readTree(body);
      } catch (IOException e) {
        reply(ex, 400, "{\"error\":\"the body is not JSON\"}");
        return;
      }
      reply(ex, 200, handler.apply(review).toString());
    }
  }

  private static void reply(HttpExchange ex, int status, String json) throws IOException {
    var bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
