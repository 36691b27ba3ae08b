package io.meshwork.bench.alloc;

import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Bytes allocated and CPU time per request on the proxy's event loop, for HTTP/1.1 through one
 * in-process proxy (one event loop, one listener, one route) to an in-process echo backend. A
 * blocking client on this thread sends keep-alive requests one at a time over one connection, so
 * the event loop does exactly the per-request work and nothing is batched. The figures come from
 * {@code com.sun.management.ThreadMXBean} for the proxy's event loop thread alone (its name is known:
 * the probe gives the proxy its thread factory), so the client's and the backend's allocations do not
 * count. Allocation per request is stable run to run (to a few bytes); CPU per request depends on the
 * machine's load.
 */
public final class AllocationProbe {
  private static final String LOOP_PREFIX = "meshwork-alloc-probe";

  /** One request shape: GET without a body, or POST with {@code bodyBytes}; istio_* metrics on or off. */
  public record Shape(String name, int bodyBytes, boolean metrics) {}

  /** What one shape measured: the median round's bytes and CPU per request, and every round's bytes. */
  public record Result(Shape shape, long requestsPerRound, double bytesPerRequest, double cpuMicrosPerRequest,
      double[] roundBytes) {}

  /** {@code requests} measured per round after {@code warmup} unmeasured ones (the JIT settles meanwhile). */
  public record Options(int warmup, int requests, int rounds) {
    public Options {
      if (warmup < 0 || requests < 1 || rounds < 1) {
        throw new IllegalArgumentException("warm-up must be >= 0, requests and rounds >= 1");
      }
    }
  }

  public static final List<Shape> SHAPES = List.of(new Shape("GET, metrics on", 0, true),
      new Shape("GET, metrics off", 0, false), new Shape("POST 1 KiB, metrics on", 1024, true));

  private AllocationProbe() {}

  public static List<Result> run(Options o, List<Shape> shapes, PrintStream out) throws Exception {
    var results = new ArrayList<Result>();
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, 64, 0)) {
      var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("alloc.yaml", io.meshwork.bench.telemetry.TelemetryBenchmark.bootstrap(backend.port())), 1);
      try (var proxy = ProxyServer.start(config, 1, new PrintStream(OutputStream.nullOutputStream()),
          new DefaultThreadFactory(LOOP_PREFIX, true))) {
        int port = proxy.listenerPort("outbound");
        for (var s : shapes) {
          proxy.telemetry().enabled(s.metrics());
          var r = measure(port, s, o);
          results.add(r);
          out.printf(Locale.ROOT, "%-24s %8.0f bytes/request (rounds: %s)  CPU %6.1f us/request (event loop)%n",
              s.name(), r.bytesPerRequest(), Arrays.toString(Arrays.stream(r.roundBytes()).mapToLong(Math::round).toArray()),
              r.cpuMicrosPerRequest());
        }
      }
    }
    return results;
  }

  private static Result measure(int port, Shape s, Options o) throws Exception {
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    byte[] request = request(port, s.bodyBytes());
    double[] bytes = new double[o.rounds()];
    double[] cpu = new double[o.rounds()];
    try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      var in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      var outStream = socket.getOutputStream();
      for (int i = 0; i < o.warmup(); i++) {
        exchange(outStream, in, request);
      }
      long loop = loopThread();
      for (int round = 0; round < o.rounds(); round++) {
        long a0 = mx.getThreadAllocatedBytes(loop);
        long c0 = mx.getThreadCpuTime(loop);
        for (int i = 0; i < o.requests(); i++) {
          exchange(outStream, in, request);
        }
        bytes[round] = (double) (mx.getThreadAllocatedBytes(loop) - a0) / o.requests();
        cpu[round] = (mx.getThreadCpuTime(loop) - c0) / 1000.0 / o.requests();
      }
    }
    return new Result(s, o.requests(), median(bytes), median(cpu), bytes);
  }

  /** The proxy's one event loop thread (the probe named it); it exists once a connection was served. */
  private static long loopThread() {
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(LOOP_PREFIX)) {
        return t.threadId();
      }
    }
    throw new IllegalStateException("no proxy event loop thread named " + LOOP_PREFIX + "*");
  }

  private static double median(double[] values) {
    var sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[(sorted.length - 1) / 2];
  }

  /** What the load generator sends (host, user agent, and for a body content type and length). */
  static byte[] request(int port, int bodyBytes) {
    var head = (bodyBytes > 0 ? "POST" : "GET") + " /bench HTTP/1.1\r\nHost: 127.0.0.1:" + port
        + "\r\nUser-Agent: meshwork-bench\r\n"
        + (bodyBytes > 0 ? "Content-Type: application/octet-stream\r\nContent-Length: " + bodyBytes + "\r\n" : "") + "\r\n";
    var h = head.getBytes(StandardCharsets.US_ASCII);
    var all = Arrays.copyOf(h, h.length + bodyBytes);
    Arrays.fill(all, h.length, all.length, (byte) 'a');
    return all;
  }

  /** Sends one request and reads its response (status 200 and a Content-Length body expected). */
  private static void exchange(OutputStream out, InputStream in, byte[] request) throws IOException {
    out.write(request);
    out.flush();
    var line = new StringBuilder();
    int contentLength = -1;
    boolean first = true;
    while (true) {
      line.setLength(0);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new IOException("the proxy closed the connection");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      if (first) {
        if (!line.toString().startsWith("HTTP/1.1 200")) {
          throw new IOException("unexpected response: " + line);
        }
        first = false;
      } else if (line.isEmpty()) {
        break;
      } else if (line.length() > 15 && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
        contentLength = Integer.parseInt(line.substring(15).strip());
      }
    }
    if (contentLength < 0) {
      throw new IOException("response without Content-Length");
    }
    in.skipNBytes(contentLength);
  }

  /** The markdown section: one row per shape, the machine, the load and the command to rerun. */
  public static String markdown(List<Result> results, Options o, String machine, String load, String date, String command) {
    var sb = new StringBuilder("### Last `meshwork bench alloc` run\n\n");
    sb.append(String.format(Locale.ROOT, "%s, %s, %s at the start. `%s`: one in-process proxy (one event loop) to an "
        + "echo backend (64-byte responses), one keep-alive connection, requests one at a time; %,d warm-up "
        + "requests, then %d rounds of %,d; figures of the event loop thread only, median round.%n%n",
        date, machine, load, command, o.warmup(), o.rounds(), o.requests()));
    sb.append("| request | bytes allocated per request | CPU per request (event loop) |\n|---|---|---|\n");
    for (var r : results) {
      sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f us |%n", r.shape().name(), r.bytesPerRequest(),
          r.cpuMicrosPerRequest()));
    }
    return sb.toString();
  }

  /** {@code meshwork bench alloc} without the CLI: [REQUESTS [ROUNDS [WARMUP]]]. */
  public static void main(String[] args) throws Exception {
    var o = new Options(args.length > 2 ? Integer.parseInt(args[2]) : 20_000, args.length > 0 ? Integer.parseInt(args[0]) : 20_000,
        args.length > 1 ? Integer.parseInt(args[1]) : 3);
    run(o, SHAPES, System.out);
  }
}
