package io.meshwork.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.meshwork.bench.BenchmarkReport;
import io.meshwork.bench.backend.EchoBackendMain;
import io.meshwork.bench.compare.CompareOptions;
import io.meshwork.bench.compare.CompareRunner;
import io.meshwork.bench.compare.CompareTable;
import io.meshwork.bench.compare.Scenario;
import io.meshwork.bench.config.ConfigParseBenchmark;
import io.meshwork.bench.load.LoadGenMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code meshwork bench ...}: benchmarks that print figures and record them in docs/benchmarks.md. */
@Command(name = "bench", description = "Run benchmarks and record their figures.",
    subcommands = {BenchCommand.Compare.class, BenchCommand.Levers.class, BenchCommand.Load.class, BenchCommand.Backend.class, BenchCommand.Jmh.class, BenchCommand.Config.class,
        BenchCommand.ConsoleBenchCommand.class, BenchCommand.Telemetry.class, SoakCommand.class, BenchCommand.Scale.class,
        BenchCommand.Alloc.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The comparison table: direct, our proxy in each shape, HAProxy; each process started and stopped here. */
  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Compare direct, our proxy (L4, one hop, two hops) and HAProxy on loopback; print the table and write docs/benchmarks.md.")
  static final class Compare implements Callable<Integer> {
    @Option(names = "--quick", description = "Short phases: the whole table in under two minutes.")
    boolean quick;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "Output format: text (default) or json.")
    OutputFormat output;

    @Option(names = "--scenarios", split = ",", paramLabel = "ID",
        description = "Scenarios to run (default: all): direct, l4-rr, hop1, hop2, hop2-mtls, hop2-mtls-jdk, hop2-mtls-telemetry, haproxy-pair, haproxy-hop1.")
    List<String> scenarios;

    @Option(names = "--rates", split = ",", paramLabel = "RPS", description = "Fixed rates in requests/s (default 100,1000,5000).")
    List<Double> rates;

    @Option(names = "--max-requests", defaultValue = "0", description = "Stop each phase after this many requests (0: by duration only).")
    long maxRequests;

    @Option(names = "--saturation-ms", description = "Length of the saturation window (default 1500 quick, 10000 full).")
    Long saturationMs;

    @Option(names = "--rate-ms", description = "Length of each fixed-rate window (default 1500 quick, 10000 full).")
    Long rateMs;

    @Option(names = "--rate-warm-ms", description = "Warm-up before each fixed-rate window (default 300 quick, 1000 full).")
    Long rateWarmMs;

    @Option(names = "--warm-ms", description = "Closed-loop warm-up before saturation (default 1000 quick, 3000 full).")
    Long warmMs;

    @Option(names = "--proxy-jvm", paramLabel = "FLAGS", description = "JVM flags for our proxy processes (space separated), e.g. \"-Xmx64m -XX:+UseSerialGC\"; default: the launcher's sidecar flags (MESHWORK_PROXY_JAVA_FLAGS); \"\" for JVM defaults.")
    String proxyJvm;

    @Option(names = "--proxy-arg", paramLabel = "ARG", description = "Extra argument for our proxy (repeatable), e.g. --proxy-arg=--concurrency --proxy-arg=1.")
    List<String> proxyArgs;

    @Option(names = "--label", description = "Name of the run and of its docs section (default: quick or full).")
    String label;

    @Option(names = "--write", paramLabel = "FILE", defaultValue = "docs/benchmarks.md",
        description = "Markdown file whose section this run rewrites (default ${DEFAULT-VALUE}).")
    Path write;

    @Option(names = "--no-write", description = "Do not write the markdown file.")
    boolean noWrite;

    @Option(names = "--work-dir", description = "Where bootstraps, configs, certificates and logs go (default: a new temporary directory).")
    Path workDir;

    @Option(names = "--protocol", defaultValue = "http1", paramLabel = "P",
        description = "What the load generator speaks: http1 (default), h2c or grpc (unary calls over h2c); h2c and grpc run direct, l4-rr, hop1 and hop2.")
    String protocol;

    @Option(names = "--plan", description = "Print the scenarios, the phases and the planned load time, and run nothing.")
    boolean plan;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var out = spec.commandLine().getOut();
      var err = spec.commandLine().getErr();
      var list = new ArrayList<Scenario>();
      for (var s : scenarios == null ? List.<String>of() : scenarios) {
        try {
          list.add(Scenario.byId(s.strip()));
        } catch (IllegalArgumentException e) {
          throw new UserException(2, "--scenarios: " + e.getMessage());
        }
      }
      if (maxRequests < 0 || (rates != null && rates.stream().anyMatch(r -> r <= 0))) {
        throw new UserException(2, "--max-requests must be >= 0 and every --rates value > 0");
      }
      io.meshwork.bench.load.Protocol proto;
      try {
        proto = io.meshwork.bench.load.Protocol.parse(protocol);
      } catch (IllegalArgumentException e) {
        throw new UserException(2, e.getMessage());
      }
      var dir = workDir != null ? workDir : plan ? Path.of(System.getProperty("java.io.tmpdir")) : Files.createTempDirectory("meshwork-bench-");
      var o = CompareOptions.defaults(quick, javaCommand(), System.getProperty("java.class.path"),
          List.of(Main.class.getName(), "proxy"), dir);
      if (!list.isEmpty()) {
        o = o.withScenarios(list);
      }
      o = o.withLoad(warmMs != null ? warmMs : o.warmMillis(), saturationMs != null ? saturationMs : o.saturationMillis(),
          rateWarmMs != null ? rateWarmMs : o.rateWarmMillis(), rateMs != null ? rateMs : o.rateMillis(), rates != null ? rates : o.rates(), maxRequests);
      // Without --proxy-jvm the proxies run with the launcher's sidecar flags (and AOT cache), as
      // `./meshwork proxy` does; --proxy-jvm "" runs them with JVM defaults.
      var jvm = proxyJvm != null ? proxyJvm : System.getenv().getOrDefault("MESHWORK_PROXY_JAVA_FLAGS", "");
      o = o.withProxy(jvm.isBlank() ? List.of() : Arrays.asList(jvm.strip().split("\\s+")),
          proxyArgs == null ? List.of() : proxyArgs);
      if (label != null) {
        o = o.withLabel(label);
      }
      o = o.withProtocol(proto);
      if (plan) {
        out.println("bench compare plan (" + o.label() + ", " + proto.id() + "): " + o.scenarios().size() + " scenarios in one run: "
            + String.join(", ", o.scenarios().stream().map(Scenario::id).toList()));
        out.println("phases per scenario: " + String.join(" ", new CompareRunner(o, System.err).phases()));
        out.printf(java.util.Locale.ROOT, "planned load and idle time: %.1f s (plus process start-up, about 1 s per proxy)%n",
            o.plannedLoadMillis() / 1000.0);
        out.flush();
        return 0;
      }
      var command = "./meshwork " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      err.println("bench: " + o.label() + " run, work directory " + dir);
      err.flush();
      var report = new CompareRunner(o, new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true)).run(command.strip());
      var md = CompareTable.markdown(report);
      if (output == OutputFormat.json) {
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
      } else {
        out.println(md);
      }
      out.flush();
      if (!noWrite) {
        BenchmarkReport.writeSection(write, "compare-" + report.label(), "## Comparison: " + report.label() + " run\n\n" + md);
        err.println("bench: wrote section compare-" + report.label() + " of " + write);
      }
      return report.rows().stream().anyMatch(r -> r.status().equals("failed")) ? 1 : 0;
    }
  }

  /** JVM and Netty levers for the proxy process, each one a run of the one-hop scenario. */
  @Command(name = "levers", mixinStandardHelpOptions = true,
      description = "Run the one-hop scenario once per JVM/Netty lever (heap, GC, compact headers, AOT cache, arenas, event loops) and record what each bought.")
  static final class Levers implements Callable<Integer> {
    @Option(names = "--only", split = ",", paramLabel = "NAME", description = "Run only these levers (baseline is always first).")
    List<String> only;

    @Option(names = "--saturation-ms", defaultValue = "3000", description = "Saturation window (default ${DEFAULT-VALUE}).")
    long saturationMs;

    @Option(names = "--rate-ms", defaultValue = "3000", description = "Each fixed-rate window (default ${DEFAULT-VALUE}).")
    long rateMs;

    @Option(names = "--write", paramLabel = "FILE", defaultValue = "docs/benchmarks.md", description = "Markdown file (default ${DEFAULT-VALUE}).")
    Path write;

    @Option(names = "--no-write", description = "Do not write the markdown file.")
    boolean noWrite;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      var dir = Files.createTempDirectory("meshwork-levers-");
      var o = CompareOptions.defaults(true, javaCommand(), System.getProperty("java.class.path"), List.of(Main.class.getName(), "proxy"), dir)
          .withLoad(1000, saturationMs, 500, rateMs, List.of(100.0, 1000.0, 5000.0), 0);
      var levers = io.meshwork.bench.compare.Lever.standard(dir.resolve("proxy.aot")).stream()
          .filter(l -> only == null || l.name().startsWith("baseline") || only.contains(l.name()) || (only.contains("aot") && l.name().equals("aot-train")))
          .toList();
      var progress = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true);
      progress.println("bench: levers, work directory " + dir);
      var results = new io.meshwork.bench.compare.LeverRunner(o, progress).run(levers);
      var command = "./meshwork " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      var md = io.meshwork.bench.compare.LeverRunner.markdown(o, command, results);
      spec.commandLine().getOut().println(md);
      spec.commandLine().getOut().flush();
      if (!noWrite) {
        BenchmarkReport.writeSection(write, "levers", "## JVM levers for the proxy process\n\n" + md);
      }
      return 0;
    }
  }

  /** A subcommand that hands its arguments, unparsed, to a benchmark tool's own main. */
  abstract static class PassThrough implements Callable<Integer> {
    @picocli.CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    abstract void main(String[] args) throws Exception;

    /** Whether {@code -h}/{@code --help} print this command's usage rather than going to the tool (JMH has its own). */
    boolean ownHelp() {
      return true;
    }

    @Override
    public Integer call() throws Exception {
      if (ownHelp() && (args.contains("-h") || args.contains("--help"))) {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
      }
      main(args.toArray(String[]::new));
      return 0;
    }
  }

  /** The load generator, in this process (the comparison starts it as a separate one). */
  @Command(name = "load", description = "Run the load generator: --host H --port P [--protocol http1|h2c|grpc] [--connections 16] [--payload 1024] --phase NAME:RATE:WARMUP_MS:DURATION_MS[:MAX] ...; prints JSON.")
  static final class Load extends PassThrough {
    @Override
    void main(String[] args) throws Exception {
      LoadGenMain.main(args);
    }
  }

  /** JMH micro-benchmarks of the proxy's hot path. */
  @Command(name = "jmh", description = "Run the JMH micro-benchmarks (route matching over 1,000 routes, load-balancer pick, header parsing and encoding, istio_* metric recording); arguments go to JMH, e.g. RouteMatch -f 1.")
  static final class Jmh extends PassThrough {
    @Override
    boolean ownHelp() {
      return false;
    }

    @Override
    void main(String[] args) throws Exception {
      io.meshwork.bench.jmh.JmhMain.main(args);
    }
  }

  /** The control plane at scale (issue 4): first sync and change convergence for SERVICES x PROXIES in-process. */
  @Command(name = "scale", description = "Control plane at scale: SERVICES PROXIES [CHANGES] [--full-clients] (default 1000 1000 10); "
      + "time to first full sync, p50/p99 for a VirtualService change to reach every proxy, heap, CPU.")
  static final class Scale extends PassThrough {
    @Override
    void main(String[] args) throws Exception {
      io.meshwork.control.bench.ScaleBenchmark.main(args);
    }
  }

  /** The fake backend, in this process. */
  @Command(name = "backend", description = "Run the echo backend (HTTP/1.1, h2c and gRPC on one port): [--port P] [--threads 1] [--response-bytes -1 (echo)] [--delay-ms 0].")
  static final class Backend extends PassThrough {
    @Override
    void main(String[] args) throws Exception {
      EchoBackendMain.main(args);
    }
  }

  /** Parse + validate throughput of the configuration model. */
  @Command(name = "config", description = "Parse + validate generated VirtualServices and DestinationRules on one thread.")
  static final class Config implements Callable<Integer> {
    @Option(names = "--documents", defaultValue = "10000", description = "How many documents (default ${DEFAULT-VALUE}).")
    int documents;

    @Option(names = "--rounds", defaultValue = "5", description = "Measured rounds (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--write", description = "Markdown file to record the figures in, e.g. docs/benchmarks.md.")
    Path write;

    @Override
    public Integer call() throws Exception {
      if (documents < 1 || rounds < 1) {
        throw new UserException(2, "--documents and --rounds must be at least 1");
      }
      var result = ConfigParseBenchmark.run(documents, rounds, System.out);
      ConfigParseBenchmark.report(result, System.out, write);
      return result.invalid() == 0 ? 0 : 1;
    }
  }

  /** The console: trace ingest spans/s with the store at its cap, graph API latency for 100 services / 300 edges. */
  @Command(name = "console", description = "Console benchmark: trace ingest spans/s (store capped), graph API latency for 100 services / 300 edges.")
  static final class ConsoleBenchCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "5", description = "Seconds per ingest measurement (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--clients", defaultValue = "4", description = "OTLP/HTTP clients (default ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--write", description = "Markdown file to record the figures in, e.g. docs/benchmarks.md.")
    Path write;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (seconds < 1 || clients < 1) {
        throw new UserException(2, "--seconds and --clients must be at least 1");
      }
      var r = io.meshwork.console.bench.ConsoleBench.run(seconds, clients, System.out);
      var command = "./meshwork " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      var md = io.meshwork.console.bench.ConsoleBench.markdown(r, BenchmarkReport.machine(), BenchmarkReport.load(), BenchmarkReport.today(), command);
      System.out.println(md);
      if (write != null) {
        BenchmarkReport.writeSection(write, "console", md);
      }
      return r.capsHeld() ? 0 : 1;
    }
  }

  /** What tracing costs a proxy hop: off, 0%, 1%, 100% sampling; the p99 effect of exporting 10,000 spans/s. */
  @Command(name = "telemetry", mixinStandardHelpOptions = true,
      description = "Throughput and p99 of one proxy hop with tracing off and at 0%, 1% and 100% sampling, spans exported to a local collector.")
  static final class Telemetry implements Callable<Integer> {
    @Option(names = "--provider", defaultValue = "zipkin", description = "zipkin (v2 JSON) or otlp (OTLP/HTTP protobuf) (default ${DEFAULT-VALUE}).")
    String provider;

    @Option(names = "--rate", defaultValue = "10000", description = "Fixed request rate, i.e. spans/s at 100%% (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration-ms", defaultValue = "5000", description = "Measured window per phase (default ${DEFAULT-VALUE}).")
    long durationMillis;

    @Option(names = "--warmup-ms", defaultValue = "1500", description = "Warm-up per phase (default ${DEFAULT-VALUE}).")
    long warmupMillis;

    @Option(names = "--connections", defaultValue = "16", description = "Keep-alive connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rounds", defaultValue = "1", description = "Full rounds of every scenario, in rotating order (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--sidecar-process", description = "Run each proxy in a JVM of its own with the sidecar's JVM flags (Serial GC, C1 only; "
        + "it saturates lower, so pick a --rate it sustains) instead of in the benchmark's JVM.")
    boolean sidecarProcess;

    @Option(names = "--alternating", defaultValue = "2", description = "Fresh proxies that take the fixed rate in windows whose requests "
        + "carry x-b3-sampled 0 and 1 by turns; the p99 effect of export is judged from them (default ${DEFAULT-VALUE}; 0: none).")
    int alternating;

    @Option(names = "--windows", defaultValue = "40", description = "Windows per alternating run, an even number (default ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--window-ms", defaultValue = "2500", description = "Length of one window (default ${DEFAULT-VALUE}).")
    long windowMillis;

    @Option(names = "--settle-ms", defaultValue = "1000", description = "Start of each window that is sent but not judged, so the "
        + "previous window's last batch is exported first (default ${DEFAULT-VALUE}).")
    long settleMillis;

    @Option(names = "--write", description = "Markdown file to record the figures in, e.g. docs/benchmarks.md.")
    Path write;

    @Override
    public Integer call() throws Exception {
      if (!provider.equals("zipkin") && !provider.equals("otlp")) {
        throw new UserException(2, "--provider must be zipkin or otlp, not " + provider);
      }
      if (rate <= 0 || durationMillis <= 0 || warmupMillis < 0 || connections < 1 || rounds < 1 || alternating < 0) {
        throw new UserException(2, "--rate, --duration-ms, --connections and --rounds must be positive, --warmup-ms and --alternating at least 0");
      }
      if (windows < 2 || windows % 2 != 0 || windowMillis <= 0 || settleMillis < 0 || settleMillis >= windowMillis) {
        throw new UserException(2, "--windows must be an even number of at least 2, --window-ms positive and --settle-ms in [0, --window-ms)");
      }
      var o = new io.meshwork.bench.telemetry.TelemetryBenchmark.Options(provider, rate, warmupMillis, durationMillis, connections,
          rounds, alternating, windowMillis, settleMillis, windows, sidecarProcess);
      var results = io.meshwork.bench.telemetry.TelemetryBenchmark.run(o, System.out);
      var report = io.meshwork.bench.telemetry.TelemetryBenchmark.report(results, o);
      System.out.println();
      System.out.println(report);
      if (write != null) {
        io.meshwork.bench.telemetry.TelemetryBenchmark.write(results, o, write);
        System.out.println("written to " + write);
      }
      return 0;
    }
  }

  /** Heap bytes and CPU per HTTP/1.1 request on the proxy's event loop (in-process proxy and echo backend). */
  @Command(name = "alloc", mixinStandardHelpOptions = true,
      description = "Bytes allocated and CPU time per HTTP/1.1 request on the proxy's event loop thread (in-process proxy, one connection, requests one at a time).")
  static final class Alloc implements Callable<Integer> {
    @Option(names = "--requests", defaultValue = "20000", description = "Measured requests per round (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per request shape; the median is reported (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", defaultValue = "20000", description = "Unmeasured requests first, per shape (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--leak-detection", defaultValue = "disabled", paramLabel = "LEVEL",
        description = "Netty's leak detection level while measuring: disabled (default, as the sidecar's scripts/proxy.jvmopts), simple (Netty's default: a stack trace per ~128 buffers), advanced, paranoid.")
    String leakDetection;

    @Option(names = "--write", description = "Markdown file to record the figures in, e.g. docs/benchmarks.md.")
    Path write;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (requests < 1 || rounds < 1 || warmup < 0) {
        throw new UserException(2, "--requests and --rounds must be at least 1, --warmup at least 0");
      }
      io.netty.util.ResourceLeakDetector.Level level;
      try {
        level = io.netty.util.ResourceLeakDetector.Level.valueOf(leakDetection.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new UserException(2, "--leak-detection must be disabled, simple, advanced or paranoid, not " + leakDetection);
      }
      io.netty.util.ResourceLeakDetector.setLevel(level);
      var o = new io.meshwork.bench.alloc.AllocationProbe.Options(warmup, requests, rounds);
      String load = BenchmarkReport.load();
      var results = io.meshwork.bench.alloc.AllocationProbe.run(o, io.meshwork.bench.alloc.AllocationProbe.SHAPES, System.out);
      var command = "./meshwork " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
      var md = io.meshwork.bench.alloc.AllocationProbe.markdown(results, o, BenchmarkReport.machine() + ", Netty leak detection "
          + level.name().toLowerCase(java.util.Locale.ROOT), load, BenchmarkReport.today(), command.strip());
      System.out.println();
      System.out.println(md);
      if (write != null) {
        BenchmarkReport.writeSection(write, "alloc", md);
        System.out.println("written to " + write);
      }
      return 0;
    }
  }

  static String javaCommand() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
