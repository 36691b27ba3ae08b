package io.meshwork.bench.compare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.bench.BenchmarkReport;
import io.meshwork.bench.load.PhaseResult;
import io.meshwork.bench.load.Protocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs the scenarios one after the other. Two echo backends are started once; for each scenario the
 * proxies are started (timed until their {@code /ready} answers), left idle for a second, loaded by a
 * separate load-generator process (warm-up, saturation, then each fixed rate), and stopped. CPU and
 * memory of each proxy are sampled when the load generator announces the start and end of each
 * measured window. A failing scenario becomes a "failed" row; the others still run.
 */
public final class CompareRunner {
  static final String WARM = "warm";
  static final String SATURATION = "sat";

  private final CompareOptions o;
  private final PrintStream progress;
  private final ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public CompareRunner(CompareOptions options, PrintStream progress) {
    this.o = options;
    this.progress = progress;
  }

  /** A proxy we started: its process and the admin port that answers {@code /ready}. */
  private record Running(Supervisor.Child child, int adminPort) {}

  public CompareReport run(String command) throws IOException, InterruptedException {
    Files.createDirectories(o.workDir());
    var rows = new ArrayList<ScenarioResult>();
    String note = "";
    try (var sup = new Supervisor()) {
      int backendA = freePort();
      int backendB = freePort();
      var a = sup.start("backend-a", backendCommand(backendA), o.workDir().resolve("backend-a.log"));
      // The second backend only serves the round-robin row; a run without it saves a JVM start.
      var b = o.scenarios().contains(Scenario.L4_ROUND_ROBIN)
          ? sup.start("backend-b", backendCommand(backendB), o.workDir().resolve("backend-b.log")) : null;
      waitReady(a, backendA, 60_000);
      if (b != null) {
        waitReady(b, backendB, 60_000);
      }
      boolean tls = false;
      String haproxy = Haproxy.find();
      if (o.scenarios().stream().anyMatch(Scenario::usesHaproxy) && haproxy != null) {
        tls = Haproxy.makeCertificate(o.workDir());
        note = tls ? "HAProxy pair: TLS between the two HAProxies (self-signed P-256 certificate, verified)."
            : "HAProxy pair: PLAINTEXT between the two HAProxies (openssl could not make a certificate).";
      }
      if (o.scenarios().contains(Scenario.TWO_HOPS_MTLS) || o.scenarios().contains(Scenario.TWO_HOPS_MTLS_JDK)
          || o.scenarios().contains(Scenario.TWO_HOPS_MTLS_TELEMETRY)) {
        note = (note.isEmpty() ? "" : note + "\n- ") + handshakeNote();
      }
      for (var s : o.scenarios()) {
        if (s.notYet() != null) {
          rows.add(new ScenarioResult(s.number(), s.id(), s.description(), "not yet", s.notYet(), List.of(), List.of()));
          continue;
        }
        if (o.protocol() != Protocol.HTTP1 && !s.speaksHttp2()) {
          rows.add(new ScenarioResult(s.number(), s.id(), s.description(), "skipped", "measured over HTTP/1.1 only; --protocol "
              + o.protocol().id() + " runs direct, l4-rr, hop1 and hop2", List.of(), List.of()));
          continue;
        }
        if (s.usesHaproxy() && haproxy == null) {
          rows.add(new ScenarioResult(s.number(), s.id(), s.description(), "skipped", "haproxy is not installed (apt-get install haproxy)",
              List.of(), List.of()));
          continue;
        }
        progress.println("bench: scenario " + s.number() + " " + s.id() + " ...");
        progress.flush();
        try {
          rows.add(runScenario(sup, s, backendA, backendB, haproxy, tls));
        } catch (IOException | RuntimeException e) {
          progress.println("bench: scenario " + s.id() + " failed: " + e.getMessage());
          rows.add(new ScenarioResult(s.number(), s.id(), s.description(), "failed", String.valueOf(e.getMessage()), List.of(), List.of()));
        }
      }
    }
    return new CompareReport(BenchmarkReport.today(), BenchmarkReport.machine(), command, o.label(), note, o, rows);
  }

  /** New mTLS handshakes per core, BoringSSL and JDK (see {@link HandshakeRate}). */
  private String handshakeNote() throws IOException {
    var certs = MeshCertificates.write(o.workDir().resolve("mtls"));
    var time = Duration.ofMillis(Math.max(200, Math.min(2000, o.rateMillis())));
    progress.println("bench: measuring new mTLS handshakes per core ...");
    progress.flush();
    double boring = HandshakeRate.measure(certs, io.netty.handler.ssl.SslProvider.OPENSSL, time);
    double jdk = HandshakeRate.measure(certs, io.netty.handler.ssl.SslProvider.JDK, time);
    return "New mTLS handshakes per core (TLS 1.3, ECDSA P-256 client and server certificates, both ends on one thread, no resumption): BoringSSL "
        + (boring < 0 ? "not available" : String.format(java.util.Locale.ROOT, "%,.0f/s", boring))
        + ", JDK " + String.format(java.util.Locale.ROOT, "%,.0f/s", jdk) + ".";
  }

  private ScenarioResult runScenario(Supervisor sup, Scenario s, int backendA, int backendB, String haproxy, boolean tls)
      throws IOException, InterruptedException {
    var proxies = new ArrayList<Running>();
    var ready = new LinkedHashMap<Running, Double>();
    int target;
    String description = s.description();
    TraceSink sink = null;
    try {
      switch (s) {
        case DIRECT -> target = backendA;
        case L4_ROUND_ROBIN -> {
          target = freePort();
          started(proxies, ready, ours(sup, "proxy", Bootstraps.tcp("l4", target, freePort(), "ROUND_ROBIN", List.of(backendA, backendB))));
        }
        case ONE_HOP -> {
          target = freePort();
          started(proxies, ready, ours(sup, "proxy", h2(Bootstraps.http("hop1", target, freePort(), "ROUND_ROBIN", List.of(backendA)))));
        }
        case TWO_HOPS -> {
          int server = freePort();
          target = freePort();
          started(proxies, ready, ours(sup, "server-side", h2(Bootstraps.http("server-side", server, freePort(), "ROUND_ROBIN", List.of(backendA)))));
          started(proxies, ready, ours(sup, "client-side", h2(Bootstraps.http("client-side", target, freePort(), "ROUND_ROBIN", List.of(server)))));
        }
        case TWO_HOPS_MTLS, TWO_HOPS_MTLS_JDK -> {
          var certs = MeshCertificates.write(o.workDir().resolve("mtls"));
          var flags = s == Scenario.TWO_HOPS_MTLS_JDK ? List.of("-Dmeshwork.tls.provider=jdk") : List.<String>of();
          int server = freePort();
          target = freePort();
          started(proxies, ready, ours(sup, "server-side", Bootstraps.mtlsServer("server-side", server, freePort(), backendA, certs), flags));
          started(proxies, ready, ours(sup, "client-side", Bootstraps.mtlsClient("client-side", target, freePort(), server, certs), flags));
        }
        case TWO_HOPS_MTLS_TELEMETRY -> {
          var certs = MeshCertificates.write(o.workDir().resolve("mtls"));
          sink = TraceSink.start();
          int server = freePort();
          target = freePort();
          started(proxies, ready, ours(sup, "server-side",
              Bootstraps.mtlsTelemetryServer("server-side", server, freePort(), backendA, certs, sink.port())));
          started(proxies, ready, ours(sup, "client-side",
              Bootstraps.mtlsTelemetryClient("client-side", target, freePort(), server, certs, sink.port())));
        }
        case HAPROXY_HOP -> {
          target = freePort();
          started(proxies, ready, haproxy(sup, haproxy, "haproxy", Haproxy.config(target, freePort(), backendA, null, null)));
        }
        case HAPROXY_PAIR -> {
          int server = freePort();
          target = freePort();
          var pem = tls ? o.workDir().resolve("server.pem") : null;
          var ca = tls ? o.workDir().resolve("ca.pem") : null;
          started(proxies, ready, haproxy(sup, haproxy, "haproxy-server-side", Haproxy.config(server, freePort(), backendA, pem, null)));
          started(proxies, ready, haproxy(sup, haproxy, "haproxy-client-side", Haproxy.config(target, freePort(), server, null, ca)));
          if (!tls) {
            description = description.replace("(TLS between them)", "(PLAINTEXT between them: no certificate)");
          }
        }
        default -> throw new IllegalStateException("no runner for " + s);
      }
      if (!proxies.isEmpty()) {
        Thread.sleep(1000);
      }
      var idle = new HashMap<Running, Double>();
      for (var p : proxies) {
        idle.put(p, ProcStats.rssKb(p.child().pid()) / 1024.0);
      }
      var load = runLoad(sup, s.id(), target, proxies);
      var figures = new ArrayList<ProxyFigures>();
      for (var p : proxies) {
        var cpu = new LinkedHashMap<String, Double>();
        for (var ph : load.phases()) {
          var c0 = load.cpuBegin().get(p).get(ph.name());
          var c1 = load.cpuEnd().get(p).get(ph.name());
          if (c0 != null && c1 != null && c0 >= 0 && c1 >= 0 && ph.requests() > 0) {
            cpu.put(ph.name(), (c1 - c0) / ph.requests() * 1000.0);
          }
        }
        figures.add(new ProxyFigures(p.child().name(), ready.get(p), idle.get(p), load.rssLoadMb().getOrDefault(p, -1.0),
            ProcStats.peakRssKb(p.child().pid()) / 1024.0, cpu));
      }
      if (sink != null) {
        // the exporters flush once a second: give the last batch time to arrive before counting
        Thread.sleep(1500);
        description += String.format(java.util.Locale.ROOT, " (the sink received %,d spans in %,d batches over %,d requests)",
            sink.spans(), sink.batches(), load.phases().stream().mapToLong(PhaseResult::requests).sum());
      }
      return new ScenarioResult(s.number(), s.id(), description, "ok", "", load.phases(), figures);
    } finally {
      // A training run writes its AOT cache while exiting, which takes a while.
      int grace = o.proxyJvmFlags().stream().anyMatch(f -> f.startsWith("-XX:AOTCacheOutput")) ? 120 : 5;
      for (var p : proxies.reversed()) {
        sup.stop(p.child(), grace);
      }
      if (sink != null) {
        sink.close(); // after the proxies: their exporters send a last batch as they stop
      }
    }
  }

  /** Over h2c and gRPC the proxies speak HTTP/2 upstream too (as Istio does for gRPC ports), so trailers pass. */
  private String h2(String bootstrap) {
    return o.protocol().http2() ? Bootstraps.http2Upstream(bootstrap) : bootstrap;
  }

  /** Waits until a proxy answers /ready before the next one starts, so start-up times do not overlap. */
  private static void started(List<Running> proxies, Map<Running, Double> ready, Running p) throws IOException, InterruptedException {
    proxies.add(p);
    ready.put(p, waitReady(p.child(), p.adminPort(), 90_000));
  }

  private record Load(List<PhaseResult> phases, Map<Running, Map<String, Double>> cpuBegin,
      Map<Running, Map<String, Double>> cpuEnd, Map<Running, Double> rssLoadMb) {}

  /** The load generator's phases for each scenario ({@code NAME:RATE:WARMUP_MS:DURATION_MS[:MAX]}). */
  public List<String> phases() {
    var list = new ArrayList<String>();
    long max = o.maxRequests();
    String bound = max > 0 ? ":" + max : "";
    list.add(WARM + ":0:0:" + o.warmMillis() + bound);
    list.add(SATURATION + ":0:0:" + o.saturationMillis() + bound);
    for (double r : o.rates()) {
      list.add(ScenarioResult.ratePhase(r) + ":" + (long) r + ":" + o.rateWarmMillis() + ":" + o.rateMillis() + bound);
    }
    return list;
  }

  private Load runLoad(Supervisor sup, String id, int port, List<Running> proxies) throws IOException, InterruptedException {
    var cmd = new ArrayList<>(List.of(o.java(), "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m", "-XX:+UseParallelGC",
        "-cp", o.classpath(), "io.meshwork.bench.load.LoadGenMain", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--connections", Integer.toString(o.connections()), "--payload", Integer.toString(o.payloadBytes()),
        "--protocol", o.protocol().id(), "--path", o.protocol().defaultPath()));
    for (var p : phases()) {
      cmd.add("--phase");
      cmd.add(p);
    }
    var out = o.workDir().resolve("load-" + id + ".json");
    var child = sup.startPiped("load-" + id, cmd, out);
    Map<Running, Map<String, Double>> begin = new HashMap<>();
    Map<Running, Map<String, Double>> end = new HashMap<>();
    Map<Running, Double> rss = new HashMap<>();
    var stderr = new StringBuilder();
    try (var r = new BufferedReader(new InputStreamReader(child.process().getErrorStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("@begin ") || line.startsWith("@end ")) {
          boolean isBegin = line.startsWith("@begin ");
          var phase = line.substring(line.indexOf(' ') + 1).strip();
          for (var p : proxies) {
            double cpu = ProcStats.cpuSeconds(p.child().pid());
            (isBegin ? begin : end).computeIfAbsent(p, x -> new HashMap<>()).put(phase, cpu);
            if (!isBegin && !phase.equals(WARM)) {
              rss.merge(p, ProcStats.rssKb(p.child().pid()) / 1024.0, Math::max);
            }
          }
        } else if (!line.startsWith("WARNING")) {
          stderr.append(line).append('\n');
        }
      }
    }
    if (!child.process().waitFor(60, TimeUnit.SECONDS)) {
      throw new IOException("the load generator did not finish; see " + out);
    }
    if (child.process().exitValue() != 0) {
      throw new IOException("the load generator failed (exit " + child.process().exitValue() + "): " + stderr.toString().strip());
    }
    sup.stop(child);
    var tree = mapper.readTree(out.toFile());
    var phases = new ArrayList<PhaseResult>();
    for (var n : tree.get("phases")) {
      var ph = mapper.treeToValue(n, PhaseResult.class);
      if (!ph.name().equals(WARM)) {
        phases.add(ph);
      }
    }
    for (var p : proxies) {
      begin.computeIfAbsent(p, x -> new HashMap<>());
      end.computeIfAbsent(p, x -> new HashMap<>());
    }
    return new Load(phases, begin, end, rss);
  }

  private Running ours(Supervisor sup, String name, String bootstrap) throws IOException {
    return ours(sup, name, bootstrap, List.of());
  }

  private Running ours(Supervisor sup, String name, String bootstrap, List<String> extraJvmFlags) throws IOException {
    int admin = adminPortOf(bootstrap);
    var file = o.workDir().resolve(name + "-" + admin + ".yaml");
    Files.writeString(file, bootstrap);
    var cmd = new ArrayList<>(List.of(o.java(), "--enable-native-access=ALL-UNNAMED"));
    cmd.addAll(o.proxyJvmFlags());
    cmd.addAll(extraJvmFlags);
    cmd.addAll(List.of("-cp", o.classpath()));
    cmd.addAll(o.proxyMain());
    cmd.addAll(List.of("--bootstrap", file.toString()));
    cmd.addAll(o.proxyArgs());
    return new Running(sup.start(name, cmd, o.workDir().resolve(name + "-" + admin + ".log")), admin);
  }

  private Running haproxy(Supervisor sup, String binary, String name, String config) throws IOException {
    int admin = Integer.parseInt(config.lines().filter(l -> l.strip().startsWith("bind 127.0.0.1:")).findFirst().orElseThrow()
        .strip().substring("bind 127.0.0.1:".length()).split(" ")[0]);
    var file = o.workDir().resolve(name + "-" + admin + ".cfg");
    Files.writeString(file, config);
    return new Running(sup.start(name, List.of(binary, "-db", "-f", file.toString()), o.workDir().resolve(name + "-" + admin + ".log")), admin);
  }

  private static int adminPortOf(String bootstrap) {
    var line = bootstrap.lines().filter(l -> l.contains("port_value")).findFirst().orElseThrow();
    var v = line.substring(line.indexOf("port_value:") + "port_value:".length()).replace("}", "").strip();
    return Integer.parseInt(v);
  }

  private List<String> backendCommand(int port) {
    return List.of(o.java(), "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseParallelGC", "-cp", o.classpath(),
        "io.meshwork.bench.backend.EchoBackendMain", "--port", Integer.toString(port), "--threads", Integer.toString(o.backendThreads()));
  }

  /** Polls {@code GET /ready} every 5 ms; returns the milliseconds from process start to the first 200. */
  static double waitReady(Supervisor.Child child, int port, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      if (!child.process().isAlive()) {
        throw new IOException(child.name() + " exited with " + child.process().exitValue() + " before it was ready: " + tail(child.log()));
      }
      if (readyAnswers(port)) {
        return (System.nanoTime() - child.startedNanos()) / 1e6;
      }
      Thread.sleep(5);
    }
    throw new IOException(child.name() + " was not ready within " + timeoutMillis + " ms: " + tail(child.log()));
  }

  private static boolean readyAnswers(int port) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(1000);
      s.getOutputStream().write("GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      var buf = new byte[12];
      int n = 0;
      while (n < 12) {
        int r = s.getInputStream().read(buf, n, 12 - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      return n == 12 && new String(buf, StandardCharsets.US_ASCII).startsWith("HTTP/1.") && new String(buf, 9, 3, StandardCharsets.US_ASCII).equals("200");
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) {
    try {
      var lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("WARNING")).toList();
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
