package io.meshwork.cli.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange on a connection of its own ({@code Connection: close}). The traffic
 * generator and the demo's tests use it instead of {@code java.net.http.HttpClient} because that
 * client keeps connections alive and cannot be told not to: behind an L4 routing mesh, which
 * balances connections and not requests, every request would then reach the same replica.
 */
public final class PlainHttp {
  /** A response: status, headers (lower-case names, first value) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private PlainHttp() {}

  public static Response get(URI uri, Map<String, String> headers, Duration timeout) throws IOException {
    return exchange("GET", uri, headers, null, timeout);
  }

  /** A form POST ({@code application/x-www-form-urlencoded}). */
  public static Response postForm(URI uri, Map<String, String> headers, String form, Duration timeout) throws IOException {
    var h = new LinkedHashMap<>(headers);
    h.put("Content-Type", "application/x-www-form-urlencoded");
    return exchange("POST", uri, h, form, timeout);
  }

  public static Response exchange(String method, URI uri, Map<String, String> headers, String body, Duration timeout)
      throws IOException {
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    var path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    var req = new StringBuilder().append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(uri.getHost()).append(':').append(uri.getPort()).append("\r\n")
        .append("Connection: close\r\n");
    headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      req.append("Content-Length: ").append(payload.length).append("\r\n");
    }
    req.append("\r\n");
    try (var s = new Socket()) {
      int ms = (int) timeout.toMillis();
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), ms);
      s.setSoTimeout(ms);
      var out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(payload);
      out.flush();
      return read(s.getInputStream());
    }
  }

  private static Response read(InputStream in) throws IOException {
    String status = line(in);
    if (status == null || !status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x response: " + status);
    }
    int code = Integer.parseInt(status.split(" ", 3)[1]);
    var headers = new LinkedHashMap<String, String>();
    for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
      int colon = l.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      var buf = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        if (size == null) {
          throw new IOException("the chunked body ended early");
        }
        int n = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
        if (n == 0) {
          break;
        }
        buf.write(in.readNBytes(n));
        line(in);
      }
      body = buf.toByteArray();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
    }
    return new Response(code, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** A CRLF-terminated line without its terminator, or null at end of stream. */
  static String line(InputStream in) throws IOException {
    var sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.isEmpty() ? null : sb.toString();
  }
}
