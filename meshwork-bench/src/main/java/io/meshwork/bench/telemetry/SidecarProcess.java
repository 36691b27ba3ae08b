package io.meshwork.bench.telemetry;

import io.meshwork.bench.compare.ProcStats;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One proxy for the telemetry benchmark, in its own JVM started with the sidecar's JVM flags
 * ({@code MESHWORK_PROXY_JAVA_FLAGS}, which the launcher sets from {@code scripts/proxy.jvmopts}:
 * Serial GC, a small heap, C1 only). A sidecar is a process of its own: run inside the benchmark's
 * JVM ({@link InProcessProxy}) the proxy has G1, C2 and a large heap, and its GC pauses and CPU mix with the
 * load generator's and the backend's, so those figures describe neither the sidecar as deployed nor
 * the proxy alone; this mode does (C1 only, so it saturates lower: run it at a rate it sustains). Out here the proxy's own CPU ({@link #cpuSeconds}) and its exporter thread's
 * ({@link #exporterCpuSeconds}) are read from {@code /proc}.
 *
 * <p>Protocol with the child: it prints {@code port N} (its listener's port) when it serves; when its
 * standard input closes it closes the proxy (which sends the spans still queued), prints {@code
 * spans SENT DROPPED} (the tracer's counters) and exits.
 */
final class SidecarProcess implements BenchProxy {
  /** The exporter thread's name as Linux keeps it (15 characters of {@code meshwork-span-export}). */
  private static final String EXPORTER_THREAD = "meshwork-span-e";

  private final ChildJvm child;
  private long spansSent = -1;
  private long spansDropped = -1;

  private SidecarProcess(ChildJvm child) {
    this.child = child;
  }

  /**
   * Starts a proxy serving {@code bootstrap} (one event loop) with the sidecar's JVM flags; {@code
   * metrics} false switches its istio_* recording off. {@code statPrefix} names the tracer's counters.
   */
  static SidecarProcess start(String bootstrap, boolean metrics, String statPrefix, List<String> jvmFlags, Path workDir)
      throws IOException {
    var file = Files.createTempFile(workDir, "telemetry-proxy-", ".yaml");
    Files.writeString(file, bootstrap);
    var flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
    flags.addAll(jvmFlags);
    return new SidecarProcess(ChildJvm.start("the benchmark's proxy process", List.of(), flags, SidecarProcess.class,
        List.of(file.toString(), Boolean.toString(metrics), statPrefix)));
  }

  /**
   * The sidecar's JVM flags: {@code MESHWORK_PROXY_JAVA_FLAGS} as the launcher exports it, else
   * none (JVM defaults, e.g. in unit tests).
   */
  static List<String> sidecarJvmFlags() {
    var flags = System.getenv().getOrDefault("MESHWORK_PROXY_JAVA_FLAGS", "").strip();
    return flags.isEmpty() ? List.of() : List.of(flags.split("\\s+"));
  }

  @Override
  public int port() {
    return child.port;
  }

  /** The proxy process's CPU seconds so far (all threads: event loop, exporter, GC, JIT). */
  @Override
  public double cpuSeconds() {
    return ProcStats.cpuSeconds(child.process.pid());
  }

  /** CPU seconds of the proxy's span exporter thread so far. */
  @Override
  public double exporterCpuSeconds() {
    return ProcStats.threadCpuSeconds(child.process.pid(), EXPORTER_THREAD);
  }

  @Override
  public long spansSent() {
    return spansSent;
  }

  @Override
  public long spansDropped() {
    return spansDropped;
  }

  /** Closes the proxy (its exporter sends what is queued) and reads its final span counters. */
  @Override
  public void close() throws IOException {
    child.stop(line -> {
      if (line.startsWith("spans ")) {
        var f = line.split(" ");
        spansSent = Long.parseLong(f[1]);
        spansDropped = Long.parseLong(f[2]);
      }
    }, 10);
  }

  /** The child: {@code BOOTSTRAP METRICS STAT_PREFIX}. */
  public static void main(String[] args) throws Exception {
    var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse(args[0], Files.readString(Path.of(args[0]))), 1);
    var proxy = ProxyServer.start(config, 1, new PrintStream(OutputStream.nullOutputStream()));
    proxy.telemetry().enabled(Boolean.parseBoolean(args[1]));
    System.out.println("port " + proxy.listenerPort("outbound"));
    System.out.flush();
    while (System.in.read() >= 0) {
      // serve until the parent closes our input
    }
    proxy.close();
    System.out.println("spans " + proxy.stats().value(args[2] + ".spans_sent") + " " + proxy.stats().value(args[2] + ".spans_dropped"));
    System.out.flush();
    System.exit(0);
  }
}
