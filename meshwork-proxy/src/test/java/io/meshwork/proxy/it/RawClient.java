package io.meshwork.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately simple HTTP/1.1 client over a raw socket: it can send any bytes (malformed
 * requests, a chosen Host header) and parses responses framed by Content-Length, chunked encoding or
 * connection close. One instance is one keep-alive connection.
 */
final class RawClient implements AutoCloseable {
  record Response(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      var v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.getFirst();
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new java.io.BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** A client whose connection leaves from {@code local} (e.g. 127.0.0.2, for source-IP hashing). */
  RawClient(int port, java.net.InetAddress local) throws IOException {
    socket = new Socket();
    socket.bind(new java.net.InetSocketAddress(local, 0));
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = new java.io.BufferedInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  Response get(String host, String path) throws IOException {
    return send("GET", host, path, Map.of(), null);
  }

  Response send(String method, String host, String path, Map<String, String> headers, String body) throws IOException {
    var sb = new StringBuilder();
    sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    sb.append("Host: ").append(host).append("\r\n");
    headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      sb.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
    }
    sb.append("\r\n");
    if (body != null) {
      sb.append(body);
    }
    write(sb.toString());
    return read(method.equals("HEAD"));
  }

  void write(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  Response read() throws IOException {
    return read(false);
  }

  Response read(boolean head) throws IOException {
    var statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    var parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    var headers = new LinkedHashMap<String, List<String>>();
    String l;
    while ((l = line()) != null && !l.isEmpty()) {
      int colon = l.indexOf(':');
      headers.computeIfAbsent(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(l.substring(colon + 1).strip());
    }
    var body = new ByteArrayOutputStream();
    var te = headers.get("transfer-encoding");
    var cl = headers.get("content-length");
    if (head || status == 204 || status == 304) {
      // no body
    } else if (te != null && te.getFirst().equalsIgnoreCase("chunked")) {
      while (true) {
        int size = Integer.parseInt(line().split(";")[0].strip(), 16);
        if (size == 0) {
          while (!line().isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(size));
        line();
      }
    } else if (cl != null) {
      body.write(in.readNBytes(Integer.parseInt(cl.getFirst())));
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
  }

  /** True if the server closed the connection (EOF within the socket timeout). */
  boolean closedByPeer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private String line() throws IOException {
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

  /** The buffered input stream, for reading raw bytes after a protocol switch. */
  InputStream rawInput() {
    return in;
  }

  void setTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
