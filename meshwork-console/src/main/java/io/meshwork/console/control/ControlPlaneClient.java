package io.meshwork.console.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP calls to the control plane's REST API (port 15014). Reads are {@code /debug/targets},
 * {@code /debug/configz} and {@code /debug/registryz}; writes go through the atomic batch
 * endpoints, so a wizard's VirtualService and DestinationRule are applied together or not at all.
 */
public final class ControlPlaneClient {
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** {@code base} like {@code http://127.0.0.1:15014}. */
  public ControlPlaneClient(URI base) {
    this.base = base;
  }

  /** Accepts {@code host:port} or a URL; the usual {@code --control-plane} spellings. */
  public static URI parse(String hostPort) {
    var u = URI.create(hostPort.contains("://") ? hostPort : "http://" + hostPort);
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException("--control-plane " + hostPort + " is not HOST:PORT (the control plane's REST port, e.g. 127.0.0.1:15014)");
    }
    return URI.create(u.getScheme() + "://" + u.getHost() + ":" + u.getPort());
  }

  public URI base() {
    return base;
  }

  /** The answer of a call: status and body text. */
  public record Reply(int status, String body) {
    public boolean ok() {
      return status / 100 == 2;
    }

    public JsonNode json() throws IOException {
      return ConfigLoader.JSON.readTree(body);
    }
  }

  public JsonNode getJson(String path) throws IOException {
    var r = send("GET", path, null);
    if (!r.ok()) {
      throw new IOException("control plane " + base + path + " answered HTTP " + r.status() + ": " + firstLine(r.body()));
    }
    return r.json();
  }

  /** Raw text of a GET (the config as served, for {@code ConfigLoader}). */
  public String getText(String path) throws IOException {
    var r = send("GET", path, null);
    if (!r.ok()) {
      throw new IOException("control plane " + base + path + " answered HTTP " + r.status() + ": " + firstLine(r.body()));
    }
    return r.body();
  }

  /** {@code POST /apis/meshwork.io/v1/apply}: YAML or JSON documents, all or nothing (422 lists every error). */
  public Reply apply(String documents) throws IOException {
    return send("POST", "/apis/meshwork.io/v1/apply", documents);
  }

  /** {@code POST /apis/meshwork.io/v1/delete}: deletes what the documents name. */
  public Reply delete(String documents) throws IOException {
    return send("POST", "/apis/meshwork.io/v1/delete", documents);
  }

  public Reply send(String method, String path, String body) throws IOException {
    var b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/yaml").method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }
    try {
      var r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted calling the control plane", e);
    } catch (IOException e) {
      throw new IOException("cannot reach the control plane at " + base + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is 'meshwork control' running there?", e);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
