package io.meshwork.bench.telemetry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's span collector, run in its own JVM ({@link #start}). When it ran inside the
 * benchmark's JVM, its parsing threads, allocation and GC counted as the proxy's and competed with
 * the event loop inside one heap, so the figure mixed export with collection; Envoy's tracing costs
 * are measured against a collector in another process, and so is ours now. It accepts any POST
 * (Zipkin {@code /api/v2/spans}: 202, OTLP {@code /v1/traces}: 200) and discards the body.
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

  /** The child: listens on an ephemeral loopback port until standard input closes. */
  public static void main(String[] args) throws IOException {
    var received = new AtomicLong();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
    var pool = Executors.newFixedThreadPool(2);
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      received.addAndGet(ex.getRequestBody().transferTo(OutputStream.nullOutputStream()));
      ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/v1/traces") ? 200 : 202, -1);
      ex.close();
    });
    server.start();
    System.out.println("port " + server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our input
    }
    server.stop(0);
    pool.shutdownNow();
  }
}
