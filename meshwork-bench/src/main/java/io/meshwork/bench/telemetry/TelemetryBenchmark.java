package io.meshwork.bench.telemetry;

import io.meshwork.bench.BenchmarkReport;
import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.bench.load.Alternation;
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
 * driven by the load generator: closed loop (saturation: throughput and p99), then open loop at a
 * fixed rate ({@code --rate}, 10,000/s by default, so that 100% sampling exports that many spans per
 * second; p99 corrected for coordinated omission). That full round gives the table: throughput,
 * CPU per request, the exporter's CPU per span.
 *
 * <p>The figure the target is about, the fixed-rate p99 with every request exported against none,
 * comes from <em>alternating</em> runs: a fresh proxy at 0% random sampling takes the fixed rate for
 * many short windows, and the load generator sets {@code x-b3-sampled: 1} on every request of
 * every other window and {@code x-b3-sampled: 0} on the rest ({@link Alternation}; the proxy honours
 * the caller's decision both ways, as Envoy does). So the two variants share one process, JIT state,
 * heap and the machine's other load, window by window. Separate rounds per scenario could not do
 * that on a 2-core machine: one 5-second round's p99 moved by tens of percent from round to round
 * with nothing changed, far more than the 10% to be judged (session 5's runs, docs/benchmarks.md).
 * The effect is the p99 of all "on" windows' latencies against that of all "off" windows, with a
 * bootstrap interval over the window pairs; the median of the pairs' own effects is shown beside it.
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
   * What a scenario measured over all its full rounds: {@code saturation} from the median round (by
   * throughput); {@code fixedRate} pooled over every round (requests, missed and latency summed);
   * {@code roundP99s} each round's own fixed-rate p99 (the noise); spans summed; CPU figures the
   * median round's. {@code requests} counts every request of every phase (both loops).
   */
  public record Result(Scenario scenario, PhaseResult saturation, PhaseResult fixedRate, List<Double> roundP99s, long requests,
      long spansSent, long spansDropped, double cpuMicrosPerRequest, double exportCpuMillisPer1000Spans) {}

  /** An effect in percent with its 90% bootstrap interval over the window pairs. */
  public record Estimate(double percent, double low, double high) {}

  /**
   * The p99 effect of exporting every request against exporting none, from the alternating runs'
   * windows: {@code pooled}, the p99 of all "on" windows' latencies against all "off" windows' (the
   * verdict: every request counts, and a disturbance that lasts seconds falls on both variants), and
   * {@code paired}, the median over window pairs of each pair's own effect (robust to a pair that
   * another process disturbed). {@code pairs}: how many off/on window pairs were measured;
   * {@code offP99}/{@code onP99}: the pooled p99s in milliseconds.
   */
  public record Effect(Estimate pooled, Estimate paired, int pairs, double offP99, double onP99) {}

  /**
   * One alternating run (a fresh proxy): each whole window's latencies, "on" when {@link
   * Alternation#on} says so; the phase as a whole; the spans that proxy exported or dropped.
   */
  record Alternated(long seed, List<Histogram> windows, PhaseResult fixedRate, long spansSent, long spansDropped,
      double exportCpuMillisPer1000Spans, List<WindowProbe.Window> probed) {
    /** The probe's "off" windows, averaged; null when the run was not probed. */
    WindowProbe.Figures off() {
      return probed == null ? null : WindowProbe.summarize(probed, false);
    }

    /** The probe's "on" windows, averaged; null when the run was not probed. */
    WindowProbe.Figures on() {
      return probed == null ? null : WindowProbe.summarize(probed, true);
    }
  }

  /** Everything one run measured. */
  public record Run(List<Result> results, List<Alternated> alternated, Effect effect, double collectorCpuMillisPer1000Spans) {}

  /**
   * {@code rounds}: full rounds (every scenario, both loops, in rotating order); {@code alternating}:
   * fresh proxies each running one alternating fixed-rate phase of {@code windows} windows of
   * {@code windowMillis}, the first {@code settleMillis} of each not judged.
   */
  public record Options(String provider, double rate, long warmupMillis, long durationMillis, int connections, int rounds,
      int alternating, long windowMillis, long settleMillis, int windows, boolean sidecarProcess) {
    public Options {
      if (alternating > 0 && (windows < 2 || windows % 2 != 0)) {
        throw new IllegalArgumentException("alternating runs need an even number of windows (at least 2), not " + windows);
      }
      new Alternation(windowMillis, settleMillis, "x-b3-sampled", "0", "1"); // validates the window and settle times
    }

    /** The defaults of {@code meshwork bench telemetry}: 2 alternating proxies of 40 windows of 2.5 s, 1 s of each settling. */
    public Options(String provider, double rate, long warmupMillis, long durationMillis, int connections, int rounds,
        boolean sidecarProcess) {
      this(provider, rate, warmupMillis, durationMillis, connections, rounds, 2, 2500, 1000, 40, sidecarProcess);
    }

    /** The alternation of run {@code seed} (0, 1, ...): each run of a comparison draws its own pair orders. */
    Alternation alternation(long seed) {
      return new Alternation(windowMillis, settleMillis, "x-b3-sampled", "0", "1", seed);
    }
  }

  private TelemetryBenchmark() {}

  public static Run run(Options o, PrintStream out) throws Exception {
    var scenarios = List.of(new Scenario("metrics off, tracing off", null, false), new Scenario("tracing off", null),
        new Scenario(ZERO, 0.0), new Scenario("tracing 1%", 1.0), new Scenario(FULL, 100.0));
    var rounds = new LinkedHashMap<Scenario, List<Round>>();
    scenarios.forEach(s -> rounds.put(s, new ArrayList<>()));
    var alternated = new ArrayList<Alternated>();
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
          new Options(o.provider(), o.rate(), o.warmupMillis(), Math.max(2000, o.durationMillis() / 2), o.connections(), 1,
              o.sidecarProcess()), true, workDir);
      double collectorStart = collector.cpuSeconds();
      for (int round = 0; round < o.rounds(); round++) {
        for (int i = 0; i < scenarios.size(); i++) {
          var s = scenarios.get((i + round) % scenarios.size()); // rotate the order, so no scenario always runs first
          rounds.get(s).add(print(out, "round " + (round + 1), measure(s, backend, collector.port(), o, true, workDir), o));
        }
      }
      for (int run = 0; run < o.alternating(); run++) {
        out.printf(Locale.ROOT, "alternating %d of %d: %d windows of %d ms at %.0f/s, x-b3-sampled 0 and 1 by turns ...%n",
            run + 1, o.alternating(), o.windows(), o.windowMillis(), o.rate());
        alternated.add(print(out, measureAlternating(backend, collector.port(), o, workDir, run)));
      }
      long spans = rounds.values().stream().flatMap(List::stream).mapToLong(Round::spansSent).sum()
          + alternated.stream().mapToLong(Alternated::spansSent).sum();
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
    return new Run(results, alternated, alternated.isEmpty() ? null : effect(alternated), collectorMillis);
  }

  private static Alternated print(PrintStream out, Alternated a) {
    var e = effect(List.of(a));
    out.printf(Locale.ROOT, "         p99 off %7.2f ms, on %7.2f ms (%+.1f%%; pairs' median %+.1f%%), missed %d | spans sent %d dropped %d%n",
        e.offP99(), e.onP99(), e.pooled().percent(), e.paired().percent(), a.fixedRate().missed(), a.spansSent(), a.spansDropped());
    out.println("         per window, off / on: " + figures(a.off(), a.on()));
    var slow = slowWindows(a);
    if (!slow.isEmpty()) {
      out.println("         slow windows (p99 above twice the median off window's): " + slow);
    }
    return a;
  }

  /**
   * One alternating run: a fresh proxy at 0% random sampling, one fixed-rate phase whose windows the
   * load generator sends with {@code x-b3-sampled} 0 and 1 by turns (the warm-up alternates too).
   */
  private static Alternated measureAlternating(EchoBackend backend, int collectorPort, Options o, Path workDir, long seed)
      throws Exception {
    var prefix = o.provider().equals("zipkin") ? "tracing.zipkin" : "tracing.opentelemetry";
    var yaml = bootstrap(backend.port(), collectorPort, o.provider(), 0.0);
    BenchProxy proxy = o.sidecarProcess() ? SidecarProcess.start(yaml, true, prefix, SidecarProcess.sidecarJvmFlags(), workDir)
        : InProcessProxy.start(yaml, true, prefix);
    PhaseResult fixed;
    List<Histogram> windows;
    long exportNanos;
    List<WindowProbe.Window> probed;
    long duration = o.windows() * o.windowMillis();
    try (proxy) {
      try (var load = new LoadGenerator(new LoadOptions("127.0.0.1", proxy.port(), "/bench", o.connections(), 1, 0,
          List.of(new Phase("alternating", o.rate(), o.warmupMillis(), duration, 0))), o.alternation(seed))) {
        var cpu = CpuWindow.start(o.warmupMillis(), duration, proxy::cpuSeconds, proxy::exporterCpuSeconds);
        var probe = WindowProbe.start(o.warmupMillis(), o.windowMillis(), o.windows(), seed, proxy::cpuSeconds, !o.sidecarProcess());
        fixed = load.run(null).getFirst();
        windows = load.windowNanos("alternating");
        cpu.nanos();
        exportNanos = cpu.exporterNanos();
        probed = probe.windows();
      }
    }
    double spans = fixed.requests() / 2.0; // half the measured window sent x-b3-sampled: 1
    return new Alternated(seed, windows, fixed, proxy.spansSent(), proxy.spansDropped(), spans < 1 ? Double.NaN : exportNanos / 1e6 / spans * 1000,
        probed);
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
   * The effect of exporting against not exporting (see {@link Effect}) over the window pairs of
   * {@code runs}, with 90% percentile-bootstrap intervals: the pairs are resampled with replacement
   * 1,000 times (fixed seed, so a report can be reproduced from the same windows), and the 5th and
   * 95th percentile of each estimate taken.
   */
  static Effect effect(List<Alternated> runs) {
    var off = new ArrayList<Histogram>();
    var on = new ArrayList<Histogram>();
    for (var r : runs) {
      var w = r.windows();
      for (int i = 0; i + 1 < w.size(); i += 2) { // windows 2k and 2k+1 are one "off" and one "on", in either order
        boolean firstOn = Alternation.on(r.seed(), i);
        off.add(w.get(firstOn ? i + 1 : i));
        on.add(w.get(firstOn ? i : i + 1));
      }
    }
    int pairs = off.size();
    var pairEffects = new double[pairs];
    for (int k = 0; k < pairs; k++) {
      pairEffects[k] = percent(p99(off.get(k)), p99(on.get(k)));
    }
    var a = new Histogram(off.getFirst());
    var b = new Histogram(on.getFirst());
    var random = new Random(42);
    int n = 1000;
    double[] pooledEffects = new double[n];
    double[] pairedEffects = new double[n];
    var sample = new double[pairs];
    for (int i = 0; i < n; i++) {
      a.reset();
      b.reset();
      for (int k = 0; k < pairs; k++) {
        int j = random.nextInt(pairs);
        a.add(off.get(j));
        b.add(on.get(j));
        sample[k] = pairEffects[j];
      }
      pooledEffects[i] = percent(p99(a), p99(b));
      pairedEffects[i] = median(java.util.Arrays.stream(sample));
    }
    a.reset();
    b.reset();
    off.forEach(a::add);
    on.forEach(b::add);
    double offP99 = p99(a) / 1e6;
    double onP99 = p99(b) / 1e6;
    var pooled = new Estimate(percent(offP99, onP99), percentile(pooledEffects, 5), percentile(pooledEffects, 95));
    var paired = new Estimate(median(java.util.Arrays.stream(pairEffects)), percentile(pairedEffects, 5), percentile(pairedEffects, 95));
    return new Effect(pooled, paired, pairs, offP99, onP99);
  }

  /** Each "on" (or "off") window's own p99 in milliseconds, over all alternating runs, sorted. */
  static double[] windowP99s(List<Alternated> runs, boolean on) {
    var values = new ArrayList<Double>();
    for (var r : runs) {
      for (int w = 0; w < r.windows().size(); w++) {
        if (Alternation.on(r.seed(), w) == on) {
          values.add(p99(r.windows().get(w)) / 1e6);
        }
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static long above(double[] values, double limit) {
    return java.util.Arrays.stream(values).filter(v -> v > limit).count();
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
        .append(o.rounds()).append(" full round(s) of every scenario, a fresh proxy for each; then ").append(o.alternating())
        .append(" alternating run(s) at the fixed rate (a fresh proxy at 0% random sampling each, ").append(o.windows())
        .append(" windows of ").append(o.windowMillis()).append(" ms whose requests carry `x-b3-sampled: 0` and `1` by turns, ")
        .append("one of each per pair in a pseudo-random order; the first ").append(o.settleMillis()).append(" ms of each window not judged).\n\n");
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
    if (e == null) {
      sb.append("\nNo alternating run (`--alternating 0`), so no verdict on the p99 effect of export.\n");
    } else {
      var alt = run.alternated();
      long requests = alt.stream().mapToLong(a -> a.fixedRate().requests()).sum();
      long missed = alt.stream().mapToLong(a -> a.fixedRate().missed()).sum();
      long sent = alt.stream().mapToLong(Alternated::spansSent).sum();
      long dropped = alt.stream().mapToLong(Alternated::spansDropped).sum();
      var perRun = new StringBuilder();
      for (var a : alt) {
        var one = effect(List.of(a));
        perRun.append(perRun.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.2f -> %.2f ms (%+.1f%%)", one.offP99(), one.onP99(),
            one.pooled().percent()));
      }
      var p = e.pooled();
      var m = e.paired();
      sb.append(String.format(Locale.ROOT, "%n**Export at %s spans/s against none (alternating runs, %d window pairs):** p99 %.2f ms with "
          + "every request exported, %.2f ms with none: **%+.1f%%** (90%% bootstrap interval over the pairs: %+.1f%% to %+.1f%%). ",
          rate, e.pairs(), e.onP99(), e.offP99(), p.percent(), p.low(), p.high()));
      if (missed > requests / 100) {
        sb.append(String.format(Locale.ROOT, "The fixed rate was not sustained (%d of %d requests missed), so this is not a valid "
            + "measurement; run on a quieter machine or lower --rate.%n", missed, requests + missed));
      } else {
        String verdict = p.percent() > 10 ? "NOT met in this run"
            : p.high() <= 10 ? "met, and the whole interval is within it"
            : "met by the estimate, but the interval reaches above +10%, so this run cannot exclude a larger effect";
        sb.append("Target at most +10%: ").append(verdict).append(String.format(Locale.ROOT,
            ". The median of the pairs' own effects: %+.1f%% (%+.1f%% to %+.1f%%). Per run: %s. %d spans exported in these runs, "
                + "%d dropped; %d of %d requests missed.%n", m.percent(), m.low(), m.high(), perRun, sent, dropped, missed, requests + missed));
        var offs = windowP99s(alt, false);
        var ons = windowP99s(alt, true);
        double typical = offs[(offs.length - 1) / 2];
        sb.append(String.format(Locale.ROOT, "%nWindows' own p99 (ms), off / on: median %.2f / %.2f, 90th percentile %.2f / %.2f, "
            + "highest %.2f / %.2f; windows above twice the median off window's p99: %d / %d of %d each. Where the pooled and "
            + "the pairs' estimates differ, it is these few slow windows that differ.%n", typical, ons[(ons.length - 1) / 2],
            offs[(int) (offs.length * 0.9)], ons[(int) (ons.length * 0.9)], offs[offs.length - 1], ons[ons.length - 1],
            above(offs, 2 * typical), above(ons, 2 * typical), offs.length));
        sb.append(String.format(Locale.ROOT, "%nPer window (%d ms, settle time included), off / on, averaged: %s.%n", o.windowMillis(),
            figures(average(alt, false), average(alt, true))));
      }
    }
    double spansPerSecond = full.fixedRate().throughput();
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

  /** A variant pair of {@link WindowProbe.Figures}, in words; JVM figures only where measured. */
  static String figures(WindowProbe.Figures off, WindowProbe.Figures on) {
    if (off == null || on == null || off.windows() == 0 || on.windows() == 0) {
      return "not measured";
    }
    var sb = new StringBuilder(String.format(Locale.ROOT, "proxy process CPU %.0f / %.0f ms", off.cpuMillis(), on.cpuMillis()));
    if (!Double.isNaN(off.allocatedMegabytes())) {
      sb.append(String.format(Locale.ROOT, ", allocated %.1f / %.1f MB, stop-the-world collections %.2f / %.2f taking %.2f / %.2f ms",
          off.allocatedMegabytes(), on.allocatedMegabytes(), off.pauses(), on.pauses(), off.pauseMillis(), on.pauseMillis()));
      var diffs = WindowProbe.largestDifferences(off, on, 4);
      if (!diffs.isEmpty()) {
        sb.append("; CPU on minus off by thread group:");
        diffs.forEach(e -> sb.append(String.format(Locale.ROOT, " %s %+.1f ms,", e.getKey(), e.getValue())));
        sb.setLength(sb.length() - 1);
      }
    }
    return sb.toString();
  }

  /**
   * The run's windows whose p99 is above twice its median "off" window's, each with its variant,
   * p99 and what the probe saw in it (process CPU, collections, exporter CPU), or "" when none.
   */
  static String slowWindows(Alternated a) {
    var offs = windowP99s(List.of(a), false);
    if (offs.length == 0) {
      return "";
    }
    double limit = 2 * offs[(offs.length - 1) / 2];
    var sb = new StringBuilder();
    var w = a.windows();
    for (int i = 0; i < w.size(); i++) {
      double p99 = p99(w.get(i)) / 1e6;
      if (p99 <= limit) {
        continue;
      }
      sb.append(sb.isEmpty() ? "" : "; ").append(String.format(Locale.ROOT, "#%d %s %.2f ms", i, Alternation.on(a.seed(), i) ? "on" : "off", p99));
      if (a.probed() != null && i < a.probed().size()) {
        var p = a.probed().get(i);
        sb.append(String.format(Locale.ROOT, " (CPU %.0f ms", p.cpuMillis()));
        if (!Double.isNaN(p.allocatedMegabytes())) {
          sb.append(String.format(Locale.ROOT, ", %.0f pauses %.1f ms, exporter %.1f ms, GC/JIT/VM threads %.0f ms", p.pauses(),
              p.pauseMillis(), p.exporterMillis(), p.nonJavaMillis()));
        }
        sb.append(')');
      }
    }
    return sb.toString();
  }

  /** The probed windows of every run, averaged per variant; null when no run was probed. */
  static WindowProbe.Figures average(List<Alternated> runs, boolean on) {
    var all = runs.stream().filter(a -> a.probed() != null).flatMap(a -> a.probed().stream()).toList();
    return WindowProbe.summarize(all, on);
  }

  private static String cell(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }

  /** Records the section in {@code file}. */
  public static void write(Run run, Options o, Path file) throws java.io.IOException {
    BenchmarkReport.writeSection(file, "telemetry", report(run, o));
  }
}
