package io.meshwork.bench.telemetry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark's span collector, run in its own JVM ({@link #start}). When it ran inside the
 * benchmark's JVM, its parsing threads, allocation and GC counted as the proxy's and competed with
 * the event loop inside one heap, so the figure mixed export with collection; Envoy's tracing costs
 * are measured against a collector in another process, and so is ours now. It accepts any POST
 * with a {@code Content-Length} (Zipkin {@code /api/v2/spans}: 202, OTLP {@code /v1/traces}: 200)
 * and discards the body.
 *
 * <p>Protocol with the parent: the child prints {@code port N} when it listens and stops when its
 * standard input closes.
 */
public final class SpanCollector implements AutoCloseable {
  private final ChildJvm child;

  private SpanCollector(ChildJvm child) {
    this.child = child;
  }

  /**
   * Starts a collector JVM with this JVM's class path and a small heap, at nice 19 when {@code
   * nice} is installed: it stands for a collector on another host, as in a real mesh, so it should
   * take the machine's idle CPU only, not compete with the proxy it measures on equal terms (its own
   * CPU is reported separately, {@link #cpuSeconds}).
   */
  public static SpanCollector start() throws IOException {
    var nice = Files.isExecutable(Path.of("/usr/bin/nice")) ? List.of("/usr/bin/nice", "-n", "19") : List.<String>of();
    return new SpanCollector(ChildJvm.start("the span collector process", nice,
        List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), SpanCollector.class, List.of()));
  }

  public int port() {
    return child.port;
  }

  /** The collector process's CPU seconds so far (user + system), or -1 where {@code /proc} cannot tell. */
  public double cpuSeconds() {
    return io.meshwork.bench.compare.ProcStats.cpuSeconds(child.process.pid());
  }

  @Override
  public void close() throws IOException {
    child.stop(line -> { }, 5);
  }

  /**
   * The child: listens on an ephemeral loopback port until standard input closes, one thread per
   * connection, each reading requests with a fixed {@code Content-Length} into one reused buffer and
   * answering with an empty 202 (Zipkin) or 200 ({@code /v1/traces}). A plain blocking loop rather
   * than the JDK's {@code HttpServer}: this process stands for a collector on another host, so the
   * less CPU it takes from the machine the proxy is measured on, the better it stands for one; the
   * JDK server used 1.6-2.1 ms of CPU per 1,000 spans (its selector and worker threads, and reads
   * of 8 KB at a time).
   */
  public static void main(String[] args) throws IOException {
    var server = new ServerSocket();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 128);
    Thread.ofPlatform().daemon().name("collector-accept").start(() -> {
      while (!server.isClosed()) {
        try {
          var socket = server.accept();
          Thread.ofPlatform().daemon().name("collector-connection").start(() -> serve(socket));
        } catch (IOException e) {
          return; // closed
        }
      }
    });
    System.out.println("port " + server.getLocalPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our input
    }
    server.close();
  }

  private static final byte[] ACCEPTED = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** Serves one keep-alive connection until the client closes it; a request it cannot read closes it. */
  private static void serve(Socket socket) {
    var buf = new byte[256 * 1024];
    try (socket; var in = socket.getInputStream(); var out = socket.getOutputStream()) {
      int filled = 0;
      while (true) {
        int headEnd;
        while ((headEnd = headEnd(buf, filled)) < 0) {
          if (filled == buf.length) {
            return; // a head this large is not one of ours
          }
          int n = in.read(buf, filled, buf.length - filled);
          if (n < 0) {
            return;
          }
          filled += n;
        }
        var head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1);
        long length = contentLength(head);
        if (length < 0) {
          return; // chunked or unreadable: the proxy's exporter always sends Content-Length
        }
        long remaining = length - (filled - headEnd);
        int leftover = 0;
        if (remaining < 0) { // the next request began in the same read
          leftover = (int) -remaining;
          System.arraycopy(buf, filled - leftover, buf, 0, leftover);
          remaining = 0;
        }
        while (remaining > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
          if (n < 0) {
            return;
          }
          remaining -= n;
        }
        filled = leftover;
        out.write(head.startsWith("POST /v1/traces ") ? OK : ACCEPTED);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the client went away or sent something we do not read: close
    }
  }

  /** The index just past the head's blank line within the first {@code filled} bytes, or -1. */
  private static int headEnd(byte[] b, int filled) {
    for (int i = 3; i < filled; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  /** The head's Content-Length; 0 without one, -1 for a chunked body (not read here). */
  private static long contentLength(String head) {
    long length = 0;
    for (var line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      var name = colon > 0 ? line.substring(0, colon).trim() : "";
      if (name.equalsIgnoreCase("content-length")) {
        length = Long.parseLong(line.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("transfer-encoding")) {
        return -1;
      }
    }
    return length;
  }
}
