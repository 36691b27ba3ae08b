package io.meshwork.console;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the console is started with. Ports of 0 pick free ports (tests); a negative port
 * disables that listener. {@code prometheus} non-null switches the graph to a real Prometheus;
 * {@code controlPlane} (the control plane's REST API, {@code http://host:15014}) adds every connected
 * proxy as a scrape target and enables validations, badges, config editing and the wizards;
 * {@code jaeger} (a Jaeger query URL) serves traces from there instead of the embedded store.
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
    URI prometheus,
    URI controlPlane,
    URI jaeger) {

  /** Without control plane or external Jaeger (the shape before those options existed). */
  public ConsoleOptions(String bindHost, int uiPort, int otlpHttpPort, int otlpGrpcPort, int zipkinPort, int maxTraces,
      long maxTraceBytes, Path dataDir, List<URI> scrapeTargets, Duration scrapeInterval, Duration retention, long maxMetricBytes,
      URI prometheus) {
    this(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval,
        retention, maxMetricBytes, prometheus, null, null);
  }

  /** The defaults of {@code meshwork console}. */
  public static ConsoleOptions defaults() {
    return new ConsoleOptions("0.0.0.0", 20001, 4318, 4317, 9411, 50_000, 256L << 20, null, List.of(),
        Duration.ofSeconds(5), Duration.ofHours(1), 128L << 20, null);
  }

  /** The same options with every port 0 and loopback only (for tests). */
  public ConsoleOptions ephemeral() {
    return new ConsoleOptions("127.0.0.1", 0, 0, 0, 0, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus, controlPlane, jaeger);
  }

  public ConsoleOptions withDataDir(Path dir) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus, controlPlane, jaeger);
  }

  public ConsoleOptions withTargets(List<URI> targets) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, targets, scrapeInterval, retention, maxMetricBytes, prometheus, controlPlane, jaeger);
  }

  public ConsoleOptions withTraceCaps(int traces, long bytes) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, traces, bytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus, controlPlane, jaeger);
  }

  public ConsoleOptions withPrometheus(URI url) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, url, controlPlane, jaeger);
  }

  public ConsoleOptions withControlPlane(URI rest) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus, rest, jaeger);
  }

  public ConsoleOptions withJaeger(URI url) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, scrapeInterval, retention, maxMetricBytes, prometheus, controlPlane, url);
  }

  public ConsoleOptions withScrapeInterval(Duration interval) {
    return new ConsoleOptions(bindHost, uiPort, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceBytes, dataDir, scrapeTargets, interval, retention, maxMetricBytes, prometheus, controlPlane, jaeger);
  }
}
