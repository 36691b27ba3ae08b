package io.meshwork.control.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 client: the request target goes on the wire exactly as written (no client-side normalization). */
final class RawHttp {
  record Response(int status, String body) {}

  private RawHttp() {}

  static Response send(String host, int port, String method, String target, String... headers) throws IOException {
    try (var s = new Socket(host, port)) {
      s.setSoTimeout(10_000);
      var sb = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
      boolean hasHost = false;
      for (var h : headers) {
        hasHost |= h.toLowerCase().startsWith("host:");
        sb.append(h).append("\r\n");
      }
      if (!hasHost) {
        sb.append("Host: ratings\r\n");
      }
      sb.append("Connection: close\r\n\r\n");
      s.getOutputStream().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
      var out = new ByteArrayOutputStream();
      s.getInputStream().transferTo(out);
      var text = out.toString(StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(text.substring(9, 12));
      int sep = text.indexOf("\r\n\r\n");
      return new Response(status, sep < 0 ? "" : text.substring(sep + 4));
    }
  }
}
