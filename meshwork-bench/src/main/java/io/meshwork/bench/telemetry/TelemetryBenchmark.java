package io.meshwork.bench.telemetry;

import io.meshwork.bench.BenchmarkReport;
import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.bench.load.LatencyStats;
import io.meshwork.bench.load.LoadGenerator;
import io.meshwork.bench.load.LoadOptions;
import io.meshwork.bench.load.Phase;
import io.meshwork.bench.load.PhaseResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * Measures what tracing costs one proxy hop. For each scenario (metrics off; tracing off; on at 0%,
 * 1% and 100% random sampling) a fresh proxy (one event loop, one OUTBOUND listener to an echo
 * backend, spans to a collector in another JVM over Zipkin JSON or OTLP/HTTP), in this JVM ({@link
 * InProcessProxy}) or in a JVM of its own with the sidecar's JVM flags ({@link SidecarProcess}), is
 * driven by the
 * load generator: in a full round, closed loop (saturation: throughput and p99) then open loop at a
 * fixed rate ({@code --rate}, 10,000/s by default, so that 100% sampling exports that many spans per
 * second; p99 corrected for coordinated omission); in a pair round, only the fixed rate, for tracing
 * 0% and 100% one after the other (the order alternates).
 *
 * <p>The figure that matters is the fixed-rate p99 at 100% against 0% (target: at most +10%). On
 * a 2-core machine shared by load generator, proxy and backend, one 5-second window's p99 moves by
 * tens of percent from round to round with nothing changed, because the slowest 1% of requests
 * are those that met a GC pause or a busy core. So the latencies of all rounds of a scenario are
 * pooled into one histogram (each round is a fresh proxy: JIT, heap and scheduling luck differ),
 * and the effect is reported with a bootstrap interval over the rounds, which says whether the run
 * can tell the effect from that noise.
 *
 * <p>Load generator and backend run in this JVM; all share the machine, so absolute figures are lower
 * bounds; compare within a run. Metrics on/off switches the proxy's istio_* recording ({@code
 * ProxyTelemetry.enabled}) with tracing off, so that row is the cost of the metrics alone; every
 * tracing row records metrics too, as a default mesh does.
 */
public final class TelemetryBenchmark {
  static final String ZERO = "tracing 0%";
  static final String FULL = "tracing 100%";

  /** One measured configuration: tracing at {@code samplingPercent} (null: no tracing block), istio_* metrics on or off. */
  public record Scenario(String name, Double samplingPercent, boolean metrics) {
    Scenario(String name, Double samplingPercent) {
      this(name, samplingPercent, true);
    }
  }

  /** One fresh proxy measured once; {@code saturation} is null in a pair round. */
  record Round(Scenario scenario, PhaseResult saturation, PhaseResult fixedRate, Histogram fixedNanos, long spansSent,
      long spansDropped, double cpuMicrosPerRequest, double exportCpuMillisPer1000Spans) {}

  /**
   * What a scenario measured over all its rounds: {@code saturation} from the median full round (by
   * throughput); {@code fixedRate} pooled over every round (requests, missed and latency summed);
   * {@code roundP99s} each round's own fixed-rate p99 (the noise); spans summed; CPU figures the
   * median round's. {@code requests} counts every request of every phase (both loops).
   */
  public record Result(Scenario scenario, PhaseResult saturation, PhaseResult fixedRate, List<Double> roundP99s, long requests,
      long spansSent, long spansDropped, double cpuMicrosPerRequest, double exportCpuMillisPer1000Spans) {}

  /** An effect in percent with its 90% bootstrap interval over the rounds. */
  public record Estimate(double percent, double low, double high) {}

  /**
   * The 100%-vs-0% p99 effect, estimated two ways: {@code median}, the median round's p99 of each
   * scenario (robust: a round that another process disturbed moves it little), and {@code pooled},
   * the p99 of all rounds' latencies together (every request counts, so one disturbed round can
   * carry the whole top percent). The verdict is read from the median; both are reported.
   */
  public record Effect(Estimate median, Estimate pooled, int zeroRounds, int fullRounds) {}

  /** Everything one run measured. */
  public record Run(List<Result> results, Effect effect, double collectorCpuMillisPer1000Spans) {}

  /**
   * {@code rounds}: full rounds (every scenario, both loops, in rotating order); {@code pairs}: extra
   * rounds at the fixed rate of tracing 0% and 100% only.
   */
  public record Options(String provider, double rate, long warmupMillis, long durationMillis, int connections, int rounds,
      int pairs, boolean sidecarProcess) {}

  private TelemetryBenchmark() {}

  public static Run run(Options o, PrintStream out) throws Exception {
    var scenarios = List.of(new Scenario("metrics off, tracing off", null, false), new Scenario("tracing off", null),
        new Scenario(ZERO, 0.0), new Scenario("tracing 1%", 1.0), new Scenario(FULL, 100.0));
    var rounds = new LinkedHashMap<Scenario, List<Round>>();
    scenarios.forEach(s -> rounds.put(s, new ArrayList<>()));
    if (!o.sidecarProcess()) {
      // As in the sidecar (scripts/proxy.jvmopts): Netty's sampled leak tracking records a stack trace for
      // about one buffer in 128, which is no cost of telemetry.
      io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
    }
    double collectorMillis;
    var workDir = java.nio.file.Files.createTempDirectory("meshwork-bench-telemetry-");
    try (var collector = SpanCollector.start(); // its own JVM: collecting must not count as the proxy's cost
        var backend = EchoBackend.start("127.0.0.1", 0, 1, 64, 0)) {
      // A throwaway round first: the first scenario must not pay for the JIT (all code paths, export included).
      out.println("warming up (JIT) ...");
      measure(new Scenario("warm-up", 100.0), backend, collector.port(),
          new Options(o.provider(), o.rate(), o.warmupMillis(), Math.max(2000, o.durationMillis() / 2), o.connections(), 1, 0, o.sidecarProcess()), true, workDir);
      double collectorStart = collector.cpuSeconds();
      for (int round = 0; round < o.rounds(); round++) {
        for (int i = 0; i < scenarios.size(); i++) {
          var s = scenarios.get((i + round) % scenarios.size()); // rotate the order, so no scenario always runs first
          rounds.get(s).add(print(out, "round " + (round + 1), measure(s, backend, collector.port(), o, true, workDir), o));
        }
      }
      var zero = scenarios.get(2);
      var full = scenarios.get(4);
      for (int pair = 0; pair < o.pairs(); pair++) {
        for (var s : pair % 2 == 0 ? List.of(zero, full) : List.of(full, zero)) {
          rounds.get(s).add(print(out, "pair " + (pair + 1), measure(s, backend, collector.port(), o, false, workDir), o));
        }
      }
      long spans = rounds.values().stream().flatMap(List::stream).mapToLong(Round::spansSent).sum();
      double collectorEnd = collector.cpuSeconds();
      collectorMillis = collectorStart < 0 || collectorEnd < 0 || spans == 0 ? Double.NaN
          : (collectorEnd - collectorStart) * 1e3 / spans * 1000;
    } finally {
      try (var files = java.nio.file.Files.list(workDir)) {
        for (var f : files.toList()) {
          java.nio.file.Files.deleteIfExists(f);
        }
      }
      java.nio.file.Files.deleteIfExists(workDir);
    }
    var results = new ArrayList<Result>();
    rounds.forEach((s, list) -> results.add(pool(s, list)));
    var zero = rounds.get(scenarios.get(2));
    var full = rounds.get(scenarios.get(4));
    return new Run(results, effect(zero, full), collectorMillis);
  }

  private static Round print(PrintStream out, String label, Round r, Options o) {
    var sat = r.saturation() == null ? "" : String.format(Locale.ROOT, "saturation %8.0f req/s p99 %7.2f ms | ",
        r.saturation().throughput(), r.saturation().latency().p99());
    out.printf(Locale.ROOT, "%-8s %-24s %sat %.0f/s: p99 %7.2f ms, missed %d | CPU %.1f us/request | spans sent %d dropped %d%n",
        label, r.scenario().name(), sat, o.rate(), r.fixedRate().latency().p99(), r.fixedRate().missed(),
        r.cpuMicrosPerRequest(), r.spansSent(), r.spansDropped());
    return r;
  }

  private static Round measure(Scenario s, EchoBackend backend, int collectorPort, Options o, boolean saturation, Path workDir)
      throws Exception {
    var prefix = o.provider().equals("zipkin") ? "tracing.zipkin" : "tracing.opentelemetry";
    var yaml = bootstrap(backend.port(), collectorPort, o.provider(), s.samplingPercent());
    BenchProxy proxy = o.sidecarProcess() ? SidecarProcess.start(yaml, s.metrics(), prefix, SidecarProcess.sidecarJvmFlags(), workDir)
        : InProcessProxy.start(yaml, s.metrics(), prefix);
    PhaseResult sat = null;
    PhaseResult fixed;
    Histogram fixedNanos;
    double cpuPerRequest;
    long exportNanos;
    try (proxy) {
      int port = proxy.port();
      if (saturation) {
        try (var load = new LoadGenerator(new LoadOptions("127.0.0.1", port, "/bench", o.connections(), 1, 0,
            List.of(new Phase("saturation", 0, o.warmupMillis(), o.durationMillis(), 0))))) {
          sat = load.run(null).getFirst();
        }
      }
      try (var load = new LoadGenerator(new LoadOptions("127.0.0.1", port, "/bench", o.connections(), 1, 0,
          List.of(new Phase("fixed", o.rate(), o.warmupMillis(), o.durationMillis(), 0))))) {
        var cpu = CpuWindow.start(o.warmupMillis(), o.durationMillis(), proxy::cpuSeconds, proxy::exporterCpuSeconds);
        fixed = load.run(null).getFirst();
        fixedNanos = load.correctedNanos("fixed");
        long cpuNanos = cpu.nanos();
        exportNanos = cpu.exporterNanos();
        cpuPerRequest = fixed.requests() > 0 ? cpuNanos / 1000.0 / fixed.requests() : Double.NaN;
      }
    } // closing sends what is still queued (the exporter's close), so the counters include the last batch
    return new Round(s, sat, fixed, fixedNanos, proxy.spansSent(), proxy.spansDropped(), cpuPerRequest,
        exportPer1000(exportNanos, fixed.requests(), s));
  }

  /** Exporter-thread CPU ms per 1,000 spans over the fixed-rate window (NaN when no span was sampled). */
  private static double exportPer1000(long nanos, long requests, Scenario s) {
    double spans = requests * (s.samplingPercent() == null ? 0 : s.samplingPercent() / 100);
    return spans < 1 ? Double.NaN : nanos / 1e6 / spans * 1000;
  }

  /** Pools a scenario's rounds (see {@link Result}). */
  static Result pool(Scenario s, List<Round> rounds) {
    var histogram = pooled(rounds);
    long requests = 0;
    long errors = 0;
    long missed = 0;
    double seconds = 0;
    long all = 0;
    for (var r : rounds) {
      requests += r.fixedRate().requests();
      errors += r.fixedRate().errors();
      missed += r.fixedRate().missed();
      seconds += r.fixedRate().seconds();
      all += r.fixedRate().requests() + (r.saturation() == null ? 0 : r.saturation().requests());
    }
    var fixed = new PhaseResult("fixed", false, rounds.getFirst().fixedRate().targetRate(), seconds, requests, errors, missed,
        seconds <= 0 ? 0 : requests / seconds, LatencyStats.of(histogram), LatencyStats.EMPTY);
    var saturations = rounds.stream().map(Round::saturation).filter(java.util.Objects::nonNull)
        .sorted(Comparator.comparingDouble(PhaseResult::throughput)).toList();
    var saturation = saturations.isEmpty() ? null : saturations.get((saturations.size() - 1) / 2);
    return new Result(s, saturation, fixed, rounds.stream().map(r -> r.fixedRate().latency().p99()).toList(), all,
        rounds.stream().mapToLong(Round::spansSent).sum(), rounds.stream().mapToLong(Round::spansDropped).sum(),
        median(rounds.stream().mapToDouble(Round::cpuMicrosPerRequest)), median(rounds.stream().mapToDouble(Round::exportCpuMillisPer1000Spans)));
  }

  private static Histogram pooled(List<Round> rounds) {
    var h = new Histogram(rounds.getFirst().fixedNanos());
    h.reset();
    rounds.forEach(r -> h.add(r.fixedNanos()));
    return h;
  }

  private static double median(java.util.stream.DoubleStream values) {
    var v = values.filter(d -> !Double.isNaN(d)).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[(v.length - 1) / 2];
  }

  /**
   * The effect of 100% against 0% (see {@link Effect}) with 90% percentile-bootstrap intervals: both
   * lists of rounds are resampled with replacement 1,000 times (fixed seed, so a report can be
   * reproduced from the same rounds), and the 5th and 95th percentile of each estimate taken.
   */
  static Effect effect(List<Round> zero, List<Round> full) {
    var random = new Random(42);
    int n = 1000;
    double[] pooledEffects = new double[n];
    double[] medianEffects = new double[n];
    var a = new Histogram(zero.getFirst().fixedNanos());
    var b = new Histogram(full.getFirst().fixedNanos());
    var za = new double[zero.size()];
    var fb = new double[full.size()];
    for (int i = 0; i < n; i++) {
      a.reset();
      b.reset();
      for (int k = 0; k < zero.size(); k++) {
        var r = zero.get(random.nextInt(zero.size()));
        a.add(r.fixedNanos());
        za[k] = p99(r.fixedNanos());
      }
      for (int k = 0; k < full.size(); k++) {
        var r = full.get(random.nextInt(full.size()));
        b.add(r.fixedNanos());
        fb[k] = p99(r.fixedNanos());
      }
      pooledEffects[i] = percent(p99(a), p99(b));
      medianEffects[i] = percent(median(java.util.Arrays.stream(za)), median(java.util.Arrays.stream(fb)));
    }
    var pooled = new Estimate(percent(p99(pooled(zero)), p99(pooled(full))), percentile(pooledEffects, 5), percentile(pooledEffects, 95));
    var median = new Estimate(percent(median(zero.stream().mapToDouble(r -> p99(r.fixedNanos()))),
        median(full.stream().mapToDouble(r -> p99(r.fixedNanos())))), percentile(medianEffects, 5), percentile(medianEffects, 95));
    return new Effect(median, pooled, zero.size(), full.size());
  }

  private static double percent(double base, double value) {
    return (value - base) / base * 100;
  }

  private static double percentile(double[] values, int p) {
    var v = values.clone();
    java.util.Arrays.sort(v);
    return v[Math.min(v.length - 1, (int) (v.length * p / 100.0))];
  }

  private static double p99(Histogram h) {
    return h.getValueAtPercentile(99);
  }

  /** The same one-listener proxy without tracing and without a collector cluster (used by {@code bench alloc}). */
  public static String bootstrap(int backendPort) {
    return bootstrap(backendPort, 0, "zipkin", null);
  }

  /**
   * A one-listener proxy (OUTBOUND: CLIENT spans) to the echo backend, with tracing at {@code sampling}%
   * (null: no tracing block) and a {@code collector} cluster on {@code collectorPort} (0: none).
   */
  static String bootstrap(int backendPort, int collectorPort, String provider, Double sampling) {
    var tracer = provider.equals("zipkin")
        ? """
                        name: envoy.tracers.zipkin
                        typed_config:
                          "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                          collector_cluster: collector
                          collector_endpoint: /api/v2/spans
                          collector_endpoint_version: HTTP_JSON
          """
        : """
                        name: envoy.tracers.opentelemetry
                        typed_config:
                          "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                          service_name: bench.default
                          http_service:
                            http_uri: {uri: "http://127.0.0.1:%d/v1/traces", cluster: collector, timeout: 5s}
          """.formatted(collectorPort);
    var tracing = sampling == null ? "" : """
                  tracing:
                    random_sampling: {value: %s}
                    custom_tags:
                    - {tag: istio.canonical_service, literal: {value: bench}}
                    - {tag: istio.namespace, literal: {value: default}}
                    - {tag: istio.mesh_id, literal: {value: cluster.local}}
                    provider:
        %s
        """.formatted(sampling, tracer.stripTrailing());
    return """
        node: {id: bench~127.0.0.1, cluster: bench}
        static_resources:
          listeners:
          - name: outbound
            traffic_direction: OUTBOUND
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: outbound
        %s
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: "outbound|8080||backend.default.svc.cluster.local"}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: "outbound|8080||backend.default.svc.cluster.local"
            connect_timeout: 2s
            type: STATIC
            load_assignment:
              cluster_name: backend
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(tracing.stripTrailing(), backendPort) + (collectorPort <= 0 ? "" : """
          - name: collector
            connect_timeout: 2s
            type: STATIC
            load_assignment:
              cluster_name: collector
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(collectorPort));
  }

  /** The markdown section for docs/benchmarks.md, and the verdict on the 10% target. */
  public static String report(Run run, Options o) {
    var results = run.results();
    var sb = new StringBuilder();
    sb.append("## Telemetry cost (`meshwork bench telemetry`)\n\n");
    sb.append("Measured ").append(BenchmarkReport.today()).append(" on ").append(BenchmarkReport.machine()).append("; ")
        .append(BenchmarkReport.load()).append(". One proxy hop (one event loop; ")
        .append(!o.sidecarProcess() ? "in the benchmark's JVM with JVM defaults, G1 and C2"
            : "a process of its own with the sidecar's JVM flags: " + (SidecarProcess.sidecarJvmFlags().isEmpty() ? "JVM defaults"
            : "`" + String.join(" ", SidecarProcess.sidecarJvmFlags()) + "`"))
        .append(") to an echo backend, ")
        .append(o.connections()).append(" keep-alive connections, spans exported as ")
        .append(o.provider().equals("zipkin") ? "Zipkin v2 JSON" : "OTLP/HTTP protobuf")
        .append(" to a collector in a separate JVM at nice 19 (it stands for a collector on another host; load generator and backend run in the benchmark's JVM; all share the machine), so compare rows within this run. ")
        .append("Each phase: ").append(o.warmupMillis()).append(" ms warm-up, ").append(o.durationMillis()).append(" ms measured; ")
        .append(o.rounds()).append(" full round(s) of every scenario, then ").append(o.pairs())
        .append(" pair round(s) of tracing 0% and 100% at the fixed rate only; a fresh proxy for each.\n\n");
    String rate = String.format(Locale.ROOT, "%.0f", o.rate());
    sb.append("| scenario | saturation req/s | saturation p99 ms | rounds at ").append(rate).append("/s | p99 ms at ").append(rate)
        .append("/s: median round; pooled (missed) | p99 of single rounds ms | CPU µs per request at fixed rate | exporter thread CPU ms per 1,000 spans | spans sent | spans dropped |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (var r : results) {
      var p99s = r.roundP99s().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.2f; %.2f (%d) | %.2f to %.2f | %s | %s | %d | %d |%n", r.scenario().name(),
          r.saturation() == null ? "-" : String.format(Locale.ROOT, "%.0f", r.saturation().throughput()),
          r.saturation() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.saturation().latency().p99()),
          p99s.length, p99s[(p99s.length - 1) / 2], r.fixedRate().latency().p99(), r.fixedRate().missed(), p99s[0], p99s[p99s.length - 1],
          cell(r.cpuMicrosPerRequest()), cell(r.exportCpuMillisPer1000Spans()), r.spansSent(), r.spansDropped()));
    }
    var zero = results.stream().filter(r -> r.scenario().name().equals(ZERO)).findFirst().orElseThrow();
    var full = results.stream().filter(r -> r.scenario().name().equals(FULL)).findFirst().orElseThrow();
    var e = run.effect();
    double spansPerSecond = full.fixedRate().throughput();
    long expected = (long) (o.rate() * o.durationMillis() / 1000.0);
    boolean sustained = zero.fixedRate().missed() <= expected * e.zeroRounds() / 100
        && full.fixedRate().missed() <= expected * e.fullRounds() / 100;
    sb.append(String.format(Locale.ROOT, "%n%d rounds at 0%% and %d at 100%%. ", e.zeroRounds(), e.fullRounds()));
    var m = e.median();
    var p = e.pooled();
    if (!sustained) {
      sb.append(String.format(Locale.ROOT, "The fixed rate of %.0f/s was not sustained in this run (missed requests above 1%% at 0%% or 100%%), "
          + "so the p99 effect of export (%+.1f%% by the median round, at %.0f spans/s) is not a valid measurement here; run on a "
          + "quieter machine or lower --rate.%n", o.rate(), m.percent(), spansPerSecond));
    } else {
      String verdict = m.percent() > 10 ? "NOT met in this run"
          : m.high() <= 10 ? "met, and the whole interval is within it"
          : "met by the estimate, but the interval reaches above +10%, so this run cannot exclude a larger effect";
      sb.append(String.format(Locale.ROOT, "Exporting %.0f spans/s (100%% sampling at the fixed rate) moved the median round's p99 by %+.1f%% "
          + "against 0%% (90%% bootstrap interval over the rounds: %+.1f%% to %+.1f%%). Target at most +10%%: %s. "
          + "The p99 of all rounds' latencies pooled moved by %+.1f%% (%+.1f%% to %+.1f%%); it counts every request, so a round "
          + "that another process disturbed can carry its whole top percent.%n", spansPerSecond,
          m.percent(), m.low(), m.high(), verdict, p.percent(), p.low(), p.high()));
    }
    sb.append(String.format(Locale.ROOT, "%nCPU per request (" + (o.sidecarProcess() ? "the proxy process: event loop, exporter, GC and JIT"
        : "the benchmark's process: load generator, proxy, backend, GC and JIT; not the collector") + ", "
        + "over the measured window at the fixed rate; median round) suffers far less from other processes' load than p99 does: tracing at "
        + "100%% costs %+.1f µs per request (so per exported span) against 0%%.%n",
        full.cpuMicrosPerRequest() - zero.cpuMicrosPerRequest()));
    sb.append(String.format(Locale.ROOT, "The export path alone (the proxy's `meshwork-span-export` thread: building, encoding and POSTing spans) "
        + "used %.1f ms of CPU per 1,000 spans at 100%%, i.e. %.1f%% of one core at %.0f spans/s. The stand-in collector used %s ms of "
        + "CPU per 1,000 spans received (receiving and discarding the body).%n",
        full.exportCpuMillisPer1000Spans(), full.exportCpuMillisPer1000Spans() * spansPerSecond / 1000 / 10, spansPerSecond,
        cell(run.collectorCpuMillisPer1000Spans())));
    sb.append("\nMetrics on/off: the \"metrics off, tracing off\" row switches the proxy's istio_* recording off; compare it with "
        + "\"tracing off\" (metrics on). The tracing rows record metrics too.\n");
    return sb.toString();
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** Records the section in {@code file}. */
  public static void write(Run run, Options o, Path file) throws java.io.IOException {
    BenchmarkReport.writeSection(file, "telemetry", report(run, o));
  }
}
