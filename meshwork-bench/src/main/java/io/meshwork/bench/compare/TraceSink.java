package io.meshwork.bench.compare;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The trace collector of the default-mesh row: a Zipkin v2 endpoint ({@code POST /api/v2/spans})
 * in the bench's own process that accepts every batch and only counts it. It stands in for Istio's
 * Zipkin/Jaeger so the proxies pay the whole export (encode, queue, POST) while the collector costs
 * next to nothing; at 1% sampling it sees a few batches per second at most. The counts show that
 * tracing really ran.
 */
public final class TraceSink implements AutoCloseable {
  private static final byte[] TRACE_ID = "\"traceId\"".getBytes(StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final ExecutorService pool;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong spans = new AtomicLong();

  private TraceSink(HttpServer server, ExecutorService pool) {
    this.server = server;
    this.pool = pool;
  }

  /** Starts the sink on a free loopback port. */
  public static TraceSink start() throws IOException {
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    var pool = Executors.newSingleThreadExecutor(r -> {
      var t = new Thread(r, "bench-trace-sink");
      t.setDaemon(true);
      return t;
    });
    var sink = new TraceSink(server, pool);
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      try (ex) {
        byte[] body = ex.getRequestBody().readAllBytes();
        if (ex.getRequestMethod().equals("POST")) {
          sink.batches.incrementAndGet();
          sink.spans.addAndGet(count(body, TRACE_ID));
        }
        ex.sendResponseHeaders(202, -1);
      }
    });
    server.start();
    return sink;
  }

  /** How many times {@code needle} occurs in {@code body}: one {@code "traceId"} per span in Zipkin v2 JSON. */
  static long count(byte[] body, byte[] needle) {
    long n = 0;
    outer:
    for (int i = 0; i + needle.length <= body.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (body[i + j] != needle[j]) {
          continue outer;
        }
      }
      n++;
    }
    return n;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public long batches() {
    return batches.get();
  }

  public long spans() {
    return spans.get();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
