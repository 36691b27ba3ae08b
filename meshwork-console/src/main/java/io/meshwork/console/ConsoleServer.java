package io.meshwork.console;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.control.ConfigBadges;
import io.meshwork.console.control.ControlApi;
import io.meshwork.console.control.ControlPlaneClient;
import io.meshwork.console.control.ControlPlaneTargets;
import io.meshwork.console.control.MeshConfig;
import io.meshwork.console.control.MeshConfigSource;
import io.meshwork.console.http.Exchange;
import io.meshwork.console.jaeger.ExternalJaeger;
import io.meshwork.console.metrics.TargetSource;
import io.meshwork.console.http.IngestHandlers;
import io.meshwork.console.http.StaticFiles;
import io.meshwork.console.ingest.OtlpGrpcReceiver;
import io.meshwork.console.jaeger.JaegerApi;
import io.meshwork.console.trace.TraceLog;
import io.meshwork.console.trace.TraceStore;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The running console: the UI/API server, the three ingest listeners, the trace store (with its
 * log when a data directory is given) and the metrics side. {@link #close()} stops all of it.
 */
public final class ConsoleServer implements AutoCloseable {
  private final ConsoleOptions options;
  private final TraceStore traces;
  private final List<AutoCloseable> closers = new ArrayList<>();
  private HttpServer ui;
  private HttpServer otlpHttp;
  private HttpServer zipkin;
  private OtlpGrpcReceiver otlpGrpc;
  private MetricsSide metrics;

  private ConsoleServer(ConsoleOptions options) {
    this.options = options;
    this.traces = new TraceStore(options.maxTraces(), options.maxTraceBytes());
  }

  /** Starts everything; a port in use fails with one sentence naming the port. */
  public static ConsoleServer start(ConsoleOptions options, Clock clock) throws IOException {
    var s = new ConsoleServer(options);
    try {
      s.startAll(clock);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void startAll(Clock clock) throws IOException {
    if (options.dataDir() != null) {
      closers.add(TraceLog.open(options.dataDir(), traces, Math.max(8L << 20, options.maxTraceBytes() * 2)));
    }
    MeshConfigSource config = null;
    TargetSource discovered = null;
    if (options.controlPlane() != null) {
      var client = new ControlPlaneClient(options.controlPlane());
      config = new MeshConfigSource(client, clock);
      discovered = new ControlPlaneTargets(client);
    }
    metrics = MetricsSide.start(options, clock, discovered);
    closers.add(metrics);
    var jaeger = new JaegerApi(traces, clock);
    var external = options.jaeger() == null ? null : new ExternalJaeger(options.jaeger());
    var graph = metrics.graphApi();
    var control = new ControlApi(config);
    if (config != null) {
      var cfg = config;
      graph.decorate(g -> {
        MeshConfig c;
        try {
          c = cfg.current();
        } catch (IOException e) {
          c = cfg.lastOrNull(); // the graph still answers while the control plane is away
        }
        ConfigBadges.apply(g, c);
      });
    }
    ui = listen(options.uiPort(), "console UI/API");
    ui.createContext("/api/", h -> {
      var ex = new Exchange(h);
      try {
        if (ex.path().equals("/api/console/stats")) {
          ex.json(200, java.util.Map.of("traces", external != null ? java.util.Map.of("jaeger", external.base().toString()) : traces.stats(),
              "metrics", metrics.stats(), "controlPlane", String.valueOf(options.controlPlane())));
        } else if (external != null && external.handle(ex, ex.rawQuery())) {
          return;
        } else if (!jaeger.handle(ex) && !graph.handle(ex) && !control.handle(ex)) {
          ex.json(404, io.meshwork.console.jaeger.JaegerJson.error(404, "no such API: " + ex.path()));
        }
      } catch (RuntimeException e) {
        // A bug must still answer: the JDK server would otherwise drop the connection silently.
        ex.json(500, io.meshwork.console.jaeger.JaegerJson.error(500, e.getClass().getSimpleName() + ": " + e.getMessage()));
      }
    });
    ui.createContext("/", StaticFiles::serve);
    ui.start();
    if (options.otlpHttpPort() >= 0) {
      otlpHttp = listen(options.otlpHttpPort(), "OTLP/HTTP");
      IngestHandlers.otlp(otlpHttp, traces);
      otlpHttp.start();
    }
    if (options.zipkinPort() >= 0) {
      zipkin = listen(options.zipkinPort(), "Zipkin");
      IngestHandlers.zipkin(zipkin, traces);
      zipkin.start();
    }
    if (options.otlpGrpcPort() >= 0) {
      try {
        otlpGrpc = OtlpGrpcReceiver.start(new InetSocketAddress(options.bindHost(), options.otlpGrpcPort()), traces);
      } catch (IOException e) {
        throw new IOException("cannot listen for OTLP/gRPC on port " + options.otlpGrpcPort() + " (" + e.getMessage() + "); free the port or pass --otlp-grpc-port", e);
      }
    }
  }

  private HttpServer listen(int port, String what) throws IOException {
    try {
      var s = HttpServer.create(new InetSocketAddress(options.bindHost(), port), 64);
      s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      return s;
    } catch (BindException e) {
      throw new IOException("cannot listen for " + what + " on port " + port + ": it is in use; free it or choose another port", e);
    }
  }

  public TraceStore traces() {
    return traces;
  }

  public MetricsSide metrics() {
    return metrics;
  }

  public int uiPort() {
    return ui.getAddress().getPort();
  }

  public int otlpHttpPort() {
    return otlpHttp.getAddress().getPort();
  }

  public int zipkinPort() {
    return zipkin.getAddress().getPort();
  }

  public int otlpGrpcPort() {
    return otlpGrpc.port();
  }

  @Override
  public void close() {
    for (var s : new HttpServer[] {ui, otlpHttp, zipkin}) {
      if (s != null) {
        s.stop(0);
      }
    }
    if (otlpGrpc != null) {
      otlpGrpc.close();
    }
    for (var c : closers.reversed()) {
      try {
        c.close();
      } catch (Exception ignored) {
        // Closing is best effort; the log is flushed per batch already.
      }
    }
  }
}
