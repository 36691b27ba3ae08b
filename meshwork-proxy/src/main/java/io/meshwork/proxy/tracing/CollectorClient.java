package io.meshwork.proxy.tracing;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A minimal HTTP/1.1 client for one thread (the span exporter): POSTs a body over one keep-alive
 * connection to the collector and reads the status, skipping the response body. It replaces
 * {@code java.net.http.HttpClient}, whose selector and worker threads, futures and per-request
 * objects cost several µs of CPU per report on top of the exporter's own work and competed with the
 * event loops on a small machine. Blocking I/O on the exporter thread is fine: that thread does
 * nothing else, and the queue in front of it never blocks an event loop.
 *
 * <p>The connection is opened on first use and reopened when the collector's address changes or
 * an exchange fails. When a reused connection fails before any response byte (the collector closed
 * it while idle), the report is sent once more on a new connection, as HTTP clients do.
 */
final class CollectorClient implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 2000;
  private static final int READ_TIMEOUT_MILLIS = 5000;

  private final String path;
  private final String contentType;
  private final SpanBuffer head = new SpanBuffer(256);
  private final byte[] in = new byte[8192];
  private int pos;
  private int limit;
  private volatile Socket socket;
  private InetSocketAddress connectedTo;
  private InputStream input;
  private OutputStream output;
  private volatile boolean closed;

  CollectorClient(String path, String contentType) {
    this.path = path;
    this.contentType = contentType;
  }

  /** Thrown when a connection ended before the response began: the request may be sent again. */
  private static final class NoResponse extends IOException {
    NoResponse(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** POSTs {@code body[0, length)} to {@code to}; returns the response's status code. */
  int post(InetSocketAddress to, byte[] body, int length) throws IOException {
    if (socket != null && !to.equals(connectedTo)) {
      disconnect();
    }
    boolean reused = socket != null;
    if (!reused) {
      connect(to);
    }
    try {
      return exchange(to, body, length);
    } catch (NoResponse e) {
      disconnect();
      if (!reused || closed) {
        throw e;
      }
      connect(to);
      try {
        return exchange(to, body, length);
      } catch (IOException again) {
        disconnect();
        throw again;
      }
    } catch (IOException | RuntimeException e) {
      disconnect();
      throw e;
    }
  }

  private void connect(InetSocketAddress to) throws IOException {
    if (closed) {
      throw new IOException("exporter closed");
    }
    var s = new Socket();
    socket = s;
    try {
      s.setTcpNoDelay(true);
      s.connect(to, CONNECT_TIMEOUT_MILLIS);
      s.setSoTimeout(READ_TIMEOUT_MILLIS);
      input = s.getInputStream();
      output = s.getOutputStream();
      connectedTo = to;
      pos = 0;
      limit = 0;
    } catch (IOException e) {
      disconnect();
      throw e;
    }
  }

  private int exchange(InetSocketAddress to, byte[] body, int length) throws IOException {
    head.reset();
    head.ascii("POST ");
    head.ascii(path);
    head.ascii(" HTTP/1.1\r\nHost: ");
    var host = to.getHostString();
    if (host.indexOf(':') >= 0) {
      head.write('[');
      head.ascii(host);
      head.write(']');
    } else {
      head.ascii(host);
    }
    head.write(':');
    head.decimal(to.getPort());
    head.ascii("\r\nContent-Type: ");
    head.ascii(contentType);
    head.ascii("\r\nContent-Length: ");
    head.decimal(length);
    head.ascii("\r\n\r\n");
    try {
      output.write(head.array(), 0, head.size());
      output.write(body, 0, length);
      output.flush();
    } catch (IOException e) {
      throw new NoResponse("the collector closed the connection: " + e.getMessage(), e);
    }
    return readResponse();
  }

  /** Reads the status line and headers, then skips the body; leaves the connection ready for the next request. */
  private int readResponse() throws IOException {
    String statusLine;
    try {
      statusLine = line();
    } catch (EOFException | java.net.SocketException e) {
      throw new NoResponse("the collector closed the connection before answering", e);
    }
    // "HTTP/1.1 202 Accepted"
    if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP response from the collector: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    boolean keepAlive = statusLine.charAt(7) == '1';
    long contentLength = -1;
    boolean chunked = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      var name = h.substring(0, colon).trim();
      var value = h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("content-length")) {
        contentLength = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
      } else if (name.equalsIgnoreCase("connection")) {
        keepAlive = !value.equalsIgnoreCase("close") && (keepAlive || value.equalsIgnoreCase("keep-alive"));
      }
    }
    if (status / 100 == 1 || status == 204 || status == 304) {
      contentLength = 0; // no body by definition (a 100 Continue is not expected: we never ask for it)
    }
    if (chunked) {
      for (long size = chunkSize(); size > 0; size = chunkSize()) {
        skip(size);
        line(); // CRLF after the chunk
      }
      for (String t = line(); !t.isEmpty(); t = line()) {
        // trailers
      }
    } else if (contentLength >= 0) {
      skip(contentLength);
    } else {
      keepAlive = false; // the body ends when the collector closes the connection
    }
    if (!keepAlive) {
      disconnect();
    }
    return status;
  }

  private long chunkSize() throws IOException {
    var l = line();
    int semi = l.indexOf(';');
    return Long.parseLong((semi >= 0 ? l.substring(0, semi) : l).trim(), 16);
  }

  private void fill() throws IOException {
    int n = input.read(in, 0, in.length);
    if (n < 0) {
      throw new EOFException("the collector closed the connection");
    }
    pos = 0;
    limit = n;
  }

  /** One header line without its CRLF (Latin-1; the response is only read for its framing). */
  private String line() throws IOException {
    var sb = new StringBuilder(32);
    while (true) {
      if (pos == limit) {
        fill();
      }
      byte b = in[pos++];
      if (b == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() > 8192) {
        throw new IOException("response header line too long");
      }
      sb.append((char) (b & 0xFF));
    }
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      if (pos == limit) {
        fill();
      }
      int k = (int) Math.min(n, limit - pos);
      pos += k;
      n -= k;
    }
  }

  private void disconnect() {
    var s = socket;
    socket = null;
    connectedTo = null;
    input = null;
    output = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** Closes the connection; a report blocked on it fails at once (called from another thread by close). */
  @Override
  public void close() {
    closed = true;
    var s = socket;
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

}
