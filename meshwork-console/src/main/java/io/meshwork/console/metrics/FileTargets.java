package io.meshwork.console.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Targets read from a file before every scrape round, so a script (or the demo) can add and remove
 * proxies without restarting the console. Two formats: Prometheus's {@code file_sd} JSON
 * ({@code [{"targets": ["host:port"]}]}) or one {@code host:port} or URL per line ({@code #}
 * comments). {@code host:port} means {@code http://host:port/stats/prometheus}. A file that is
 * missing or malformed yields no targets and the reason in {@link #lastError()}.
 */
public final class FileTargets implements TargetSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private volatile String lastError;

  public FileTargets(Path file) {
    this.file = file;
  }

  @Override
  public List<URI> targets() {
    try {
      String text = Files.readString(file);
      var out = new ArrayList<URI>();
      if (text.stripLeading().startsWith("[")) {
        for (JsonNode group : JSON.readTree(text)) {
          for (JsonNode t : group.path("targets")) {
            out.add(uri(t.asText()));
          }
        }
      } else {
        for (String line : text.split("\n")) {
          String l = line.replaceAll("#.*", "").strip();
          if (!l.isEmpty()) {
            out.add(uri(l));
          }
        }
      }
      lastError = null;
      return out;
    } catch (IOException | IllegalArgumentException e) {
      lastError = file + ": " + e.getMessage();
      return List.of();
    }
  }

  /** {@code host:port} or a full URL; throws naming the bad entry. */
  public static URI uri(String target) {
    URI u = URI.create(target.contains("://") ? target : "http://" + target + "/stats/prometheus");
    if (u.getHost() == null || u.getPort() < 0) {
      throw new IllegalArgumentException("scrape target " + target + " is not host:port or a URL with a port");
    }
    return u;
  }

  public String lastError() {
    return lastError;
  }
}
