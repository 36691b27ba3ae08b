package io.meshwork.console.jaeger;

import io.meshwork.console.http.Exchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code --jaeger URL}: the Jaeger query API answered by an external Jaeger (its query service,
 * e.g. {@code http://jaeger:16686}) instead of the embedded store. The paths and query strings
 * are the same on both sides, so requests are passed through unchanged and the answers, which
 * already have Jaeger's shapes, are returned as they come; the UI and Grafana see no difference.
 * An unreachable Jaeger answers 502 with Jaeger's error envelope.
 */
public final class ExternalJaeger {
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  public ExternalJaeger(URI base) {
    var s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
  }

  public URI base() {
    return base;
  }

  /** Handles Jaeger's query paths; false for anything else. */
  public boolean handle(Exchange ex, String rawQuery) throws IOException {
    String p = ex.path();
    if (!p.equals("/api/services") && !p.startsWith("/api/services/") && !p.equals("/api/operations") && !p.equals("/api/traces")
        && !p.startsWith("/api/traces/") && !p.equals("/api/dependencies")) {
      return false;
    }
    var target = URI.create(base + p + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
    try {
      var r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(20)).header("Accept", "application/json").GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      ex.send(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/json"), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.json(502, JaegerJson.error(502, "interrupted while asking Jaeger at " + base));
    } catch (IOException e) {
      ex.json(502, JaegerJson.error(502, "cannot reach Jaeger at " + base + " (" + e.getClass().getSimpleName() + "); check --jaeger"));
    }
    return true;
  }
}
