package io.meshwork.console.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs Kiali's PromQL against a real Prometheus ({@code GET /api/v1/query?query=&time=}) and
 * reads the instant vector back. A Prometheus that cannot be reached or answers an error fails
 * the query with one sentence naming the URL.
 */
public final class PrometheusBackend implements MetricsBackend {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public PrometheusBackend(URI base) {
    this.base = base;
  }

  @Override
  public List<Sample> sumRate(String metric, List<Matcher> matchers, Duration window, List<String> by, Instant at) {
    return query(PromQl.sumRate(metric, matchers, window, by), at);
  }

  @Override
  public List<Sample> histogramQuantile(double q, String base, List<Matcher> matchers, Duration window, List<String> by, Instant at) {
    return query(PromQl.histogramQuantile(q, base, matchers, window, by), at);
  }

  /** Runs one instant query; NaN results are dropped. */
  public List<Sample> query(String promql, Instant at) {
    String uri = base.toString().replaceAll("/+$", "") + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + "&time=" + (at.toEpochMilli() / 1000.0);
    try {
      var resp = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode root = JSON.readTree(resp.body());
      if (resp.statusCode() != 200 || !"success".equals(root.path("status").asText())) {
        throw new IllegalStateException("Prometheus at " + base + " rejected a query (" + resp.statusCode() + "): " + root.path("error").asText());
      }
      var out = new ArrayList<Sample>();
      for (JsonNode r : root.path("data").path("result")) {
        var labels = new TreeMap<String, String>();
        r.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        double v = Double.parseDouble(r.path("value").path(1).asText("NaN"));
        if (!Double.isNaN(v)) {
          out.add(new Sample(Map.copyOf(labels), v));
        }
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot query Prometheus at " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while querying Prometheus at " + base, e);
    }
  }
}
