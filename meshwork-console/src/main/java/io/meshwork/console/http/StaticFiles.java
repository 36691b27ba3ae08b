package io.meshwork.console.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Serves the UI from the jar ({@code io/meshwork/console/ui/}). Only names of the form
 * {@code [a-z0-9-]+.(html|js|css|svg)} are looked up, so no path can walk out of the folder.
 */
public final class StaticFiles {
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

  private StaticFiles() {}

  public static void serve(HttpExchange h) throws IOException {
    var ex = new Exchange(h);
    String path = ex.path();
    String name = path.equals("/") ? "index.html" : path.substring(1);
    if (!name.matches("[a-z0-9-]+\\.(html|js|css|svg)")) {
      ex.text(404, "not found: " + path);
      return;
    }
    try (InputStream in = StaticFiles.class.getResourceAsStream("/io/meshwork/console/ui/" + name)) {
      if (in == null) {
        ex.text(404, "not found: " + path);
        return;
      }
      h.getResponseHeaders().set("Cache-Control", "no-cache");
      ex.send(200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes());
    }
  }
}
