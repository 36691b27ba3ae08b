package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The CLI's side of the control plane REST API ({@code --control-plane HOST:PORT}). Connection
 * failures and error statuses become one-sentence {@link UserException}s.
 */
final class ControlPlaneClient {
  static final String DEFAULT = "127.0.0.1:15014";
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  ControlPlaneClient(String address) {
    this.base = address.startsWith("http://") || address.startsWith("https://") ? address : "http://" + address;
  }

  /** An answer: status code and JSON body. */
  record Answer(int status, JsonNode body) {
    String message() {
      return body.path("message").asText("HTTP " + status);
    }
  }

  Answer get(String path) {
    return send("GET", path, null);
  }

  Answer send(String method, String path, String body) {
    var req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/yaml").build();
    try {
      var resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = resp.body().isEmpty() ? ConfigLoader.JSON.createObjectNode() : ConfigLoader.JSON.readTree(resp.body());
      } catch (IOException e) {
        json = ConfigLoader.JSON.createObjectNode().put("message", resp.body());
      }
      return new Answer(resp.statusCode(), json);
    } catch (ConnectException e) {
      throw new UserException(2, "cannot reach the control plane at " + base + "; start it with 'meshwork control' or pass --control-plane HOST:PORT");
    } catch (IOException e) {
      throw new UserException(2, "the control plane at " + base + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserException(2, "interrupted");
    }
  }

  /** GET that must succeed; otherwise its Status message is the user's error. */
  JsonNode require(String path) {
    var a = get(path);
    if (a.status() >= 400) {
      throw new UserException(1, a.message());
    }
    return a.body();
  }
}
