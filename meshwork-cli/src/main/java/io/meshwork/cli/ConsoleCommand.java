package io.meshwork.cli;

import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.jaeger.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork console}: the console (graph, health, traces) on port 20001, with trace ingest on
 * OTLP/gRPC 4317, OTLP/HTTP 4318 and Zipkin 9411. Exit code 1 when a port cannot be bound, 2 for a
 * malformed option; otherwise it runs until interrupted.
 */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = "Run the console: service graph and health (Kiali API), trace store and search (Jaeger API), web UI.")
public final class ConsoleCommand implements Callable<Integer> {
  @Option(names = "--port", defaultValue = "20001", description = "UI and API port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--otlp-http-port", defaultValue = "4318", description = "OTLP/HTTP ingest port, -1 to disable (default ${DEFAULT-VALUE}).")
  int otlpHttpPort;

  @Option(names = "--otlp-grpc-port", defaultValue = "4317", description = "OTLP/gRPC ingest port, -1 to disable (default ${DEFAULT-VALUE}).")
  int otlpGrpcPort;

  @Option(names = "--zipkin-port", defaultValue = "9411", description = "Zipkin v2 ingest port, -1 to disable (default ${DEFAULT-VALUE}).")
  int zipkinPort;

  @Option(names = "--max-traces", defaultValue = "50000", description = "Traces kept before the oldest are evicted (default ${DEFAULT-VALUE}).")
  int maxTraces;

  @Option(names = "--max-trace-memory-mb", defaultValue = "256", description = "Estimated trace memory cap in MiB (default ${DEFAULT-VALUE}).")
  long maxTraceMb;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Persist traces here so a restart loses nothing (default: memory only).")
  Path dataDir;

  @Option(names = "--scrape", paramLabel = "TARGET", description = "A proxy to scrape: host:port or a full URL; repeatable.")
  List<String> scrape = new ArrayList<>();

  @Option(names = "--scrape-file", paramLabel = "FILE",
      description = "Targets re-read every round: Prometheus file_sd JSON or one host:port per line.")
  Path scrapeFile;

  @Option(names = "--scrape-interval", defaultValue = "5s", description = "Scrape interval (default ${DEFAULT-VALUE}).")
  String scrapeInterval;

  @Option(names = "--retention", defaultValue = "1h", description = "Metrics kept in memory (default ${DEFAULT-VALUE}).")
  String retention;

  @Option(names = "--max-metrics-memory-mb", defaultValue = "128", description = "Estimated metrics memory cap in MiB (default ${DEFAULT-VALUE}).")
  long maxMetricsMb;

  @Option(names = "--prometheus", paramLabel = "URL", description = "Read metrics from this Prometheus (Kiali's PromQL) instead of scraping.")
  URI prometheus;

  @Option(names = "--control-plane", paramLabel = "HOST:PORT",
      description = "The control plane's REST API (port 15014): scrape every connected proxy, show validations and badges, edit config.")
  String controlPlane;

  @Option(names = "--jaeger", paramLabel = "URL", description = "Read traces from this Jaeger query service (e.g. http://jaeger:16686) instead of the embedded store.")
  URI jaeger;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    var err = spec.commandLine().getErr();
    var options = new ConsoleOptions(bind, port, otlpHttpPort, otlpGrpcPort, zipkinPort, maxTraces, maxTraceMb << 20, dataDir,
        targets(), duration("--scrape-interval", scrapeInterval), duration("--retention", retention), maxMetricsMb << 20, prometheus,
        controlPlaneUri(), jaeger);
    ConsoleServer server;
    try {
      err.println("meshwork console: starting (" + (prometheus != null ? "metrics from " + prometheus : "scraping " + scrape.size() + " target(s)"
          + (scrapeFile != null ? " and those listed in " + scrapeFile : "")
          + (controlPlane != null ? " and every proxy connected to the control plane at " + controlPlane : ""))
          + (jaeger != null ? ", traces from Jaeger at " + jaeger : dataDir != null ? ", traces persisted in " + dataDir : ", traces in memory") + ")");
      server = ConsoleServer.start(options, Clock.systemUTC());
    } catch (IOException | IllegalArgumentException e) {
      throw new UserException(1, e.getMessage());
    }
    err.println("meshwork console: UI and APIs on http://" + (bind.equals("0.0.0.0") ? "localhost" : bind) + ":" + server.uiPort() + "/");
    err.println("meshwork console: traces in on OTLP/gRPC " + portOf(otlpGrpcPort, server::otlpGrpcPort) + ", OTLP/HTTP "
        + portOf(otlpHttpPort, server::otlpHttpPort) + " (/v1/traces), Zipkin " + portOf(zipkinPort, server::zipkinPort) + " (/api/v2/spans)");
    err.println("meshwork console: ready; Ctrl-C to stop");
    err.flush();
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "meshwork-console-shutdown"));
    stopped.await();
    return 0;
  }

  private URI controlPlaneUri() {
    if (controlPlane == null) {
      return null;
    }
    try {
      return io.meshwork.console.control.ControlPlaneClient.parse(controlPlane);
    } catch (IllegalArgumentException e) {
      throw new UserException(2, e.getMessage());
    }
  }

  private static String portOf(int configured, java.util.function.IntSupplier actual) {
    return configured < 0 ? "off" : String.valueOf(actual.getAsInt());
  }

  private List<URI> targets() {
    var out = new ArrayList<URI>();
    for (String t : scrape) {
      String url = t.contains("://") ? t : "http://" + t + "/stats/prometheus";
      try {
        URI u = URI.create(url);
        if (u.getHost() == null || u.getPort() < 0) {
          throw new IllegalArgumentException("no host or port");
        }
        out.add(u);
      } catch (IllegalArgumentException e) {
        throw new UserException(2, "--scrape " + t + " is not host:port or a URL with a port; e.g. --scrape 127.0.0.1:15090");
      }
    }
    if (scrapeFile != null) {
      out.add(scrapeFile.toAbsolutePath().toUri());
    }
    return out;
  }

  private static Duration duration(String option, String value) {
    try {
      return Duration.ofNanos(Durations.micros(option, value) * 1000);
    } catch (IllegalArgumentException e) {
      throw new UserException(2, option + " " + value + " is not a duration; use e.g. 5s, 1m or 1h");
    }
  }
}
