package io.meshwork.console.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Small helpers around {@link HttpExchange}: query parameters, bodies (gzip aware), replies. */
public final class Exchange {
  public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  private final HttpExchange ex;
  private final Map<String, List<String>> params = new LinkedHashMap<>();

  public Exchange(HttpExchange ex) {
    this.ex = ex;
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String part : q.split("&")) {
        if (part.isEmpty()) {
          continue;
        }
        int eq = part.indexOf('=');
        String k = decode(eq < 0 ? part : part.substring(0, eq));
        String v = eq < 0 ? "" : decode(part.substring(eq + 1));
        params.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public String path() {
    return ex.getRequestURI().getPath();
  }

  /** The query string as sent (still encoded), or null. */
  public String rawQuery() {
    return ex.getRequestURI().getRawQuery();
  }

  public String method() {
    return ex.getRequestMethod();
  }

  /** The first value of a query parameter, or {@code def} when absent or empty. */
  public String param(String name, String def) {
    var v = params.get(name);
    return v == null || v.isEmpty() || v.getFirst().isEmpty() ? def : v.getFirst();
  }

  public List<String> params(String name) {
    return params.getOrDefault(name, List.of());
  }

  public String header(String name) {
    return ex.getRequestHeaders().getFirst(name);
  }

  /** The request body, un-gzipped when Content-Encoding says so. */
  public byte[] body() throws IOException {
    InputStream raw = ex.getRequestBody();
    try (InputStream in = "gzip".equalsIgnoreCase(header("Content-Encoding")) ? new GZIPInputStream(raw) : raw) {
      return in.readAllBytes();
    }
  }

  public void json(int status, Object value) throws IOException {
    send(status, "application/json", JSON.writeValueAsBytes(value));
  }

  public void text(int status, String body) throws IOException {
    send(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  public void send(int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
    if (body.length == 0) {
      ex.sendResponseHeaders(status, -1);
    } else {
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
    ex.close();
  }
}
