package io.meshwork.console;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the console is started with. Ports of 0 pick free ports (tests); a negative port
 * disables that listener. {@code prometheus} non-null switches the graph to a real Prometheus.
 */
public record ConsoleOptions(
    String bindHost,
    int uiPort,
    int otlpHttpPort,
    int otlpGrpcPort,
    int zipkinPort,
    int maxTraces,
    long maxTraceBytes,
    Path dataDir,
    List<URI> scrapeTargets,
    Duration scrapeInterval,
    Duration retention,
    long maxMetricBytes,
    URI prometheus) {

  /** The defaults of {@code meshwork console}. */
  public static ConsoleOptions defaults() {
    return new ConsoleOptions("0.0.0.0", 20001, 4318, 4317, 9411, 50_000, 256L << 20, null, List.of(),
        Duration.ofSeconds(5), Duration.ofHours(1), 128L << 20, null);
  }

  /** The same options with every port 0 and loopback only (for tests). */
  public ConsoleOptions ephemeral() {
    return new ConsoleOptions("127.0.0.1", 0, 0, 0, 0, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus);
  }

  public ConsoleOptions withDataDir(Path dir) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus);
  }

  public ConsoleOptions withTargets(List<URI> targets) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, targets, scrapeInterval, retention, maxMetricBytes, prometheus);
  }

  public ConsoleOptions withTraceCaps(int traces, long bytes) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, traces, bytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus);
  }

  public ConsoleOptions withPrometheus(URI url) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, url);
  }
}
