package io.meshwork.cli.demo;

import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.samples.voting.Settings;
import io.meshwork.samples.voting.local.LocalPostgres;
import io.meshwork.samples.voting.local.LocalRedis;
import io.meshwork.samples.voting.result.ResultConfig;
import io.meshwork.samples.voting.result.ResultService;
import io.meshwork.samples.voting.vote.VoteConfig;
import io.meshwork.samples.voting.vote.VoteService;
import io.meshwork.samples.voting.worker.WorkerConfig;
import io.meshwork.samples.voting.worker.WorkerService;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The running voting-app demo: Redis and PostgreSQL (the app's local helpers), the control plane
 * with the mesh YAML, one xDS sidecar per workload (vote v1, vote v2, worker, result), the ingress
 * gateway and the console, all started in this JVM and stopped by {@link #close()} in reverse order.
 * Local mode: each workload has its own loopback address, so vote v1 and v2 both listen on 8080 and
 * each sidecar serves Redis ({@code :6379}) and PostgreSQL ({@code :5432}) on its workload's address.
 *
 * <p>In {@link DemoOptions.Mode#ROUTING routing mode} the control plane, sidecars and gateway are
 * replaced by one {@link RoutingMesh}: vote and result on the ingress address, Redis and PostgreSQL
 * on virtual addresses of their own, the apps pointed at those. In both modes a watchdog starts
 * PostgreSQL again if it dies (as a restart policy would), and a {@link TrafficGenerator} keeps the
 * graph alive unless turned off.
 */
public final class VotingDemo implements AutoCloseable {
  static final int VOTE_PORT = 8080;
  static final int RESULT_PORT = 8081;
  static final int REDIS_PORT = 6379;
  static final int DB_PORT = 5432;
  static final int ADMIN_PORT = 15000;
  static final int WORKER_HEALTH_PORT = 9090;

  /** Where each mesh-mode sidecar with its own address terminates mTLS for its app (Istio's inbound capture port). */
  static final int INBOUND_PORT = 15006;

  /**
   * The mesh YAML applied: the gateway, the version subsets, the 90/10 canary step, mTLS STRICT
   * mesh-wide and the policy that lets only worker and vote reach Redis.
   */
  public static final List<String> APPLIED = List.of("gateway.yaml", "destination-rules.yaml", "vote-canary-10.yaml",
      "peer-authentication.yaml", "redis-authorization.yaml");

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final DemoOptions options;
  private final PrintStream out;
  private final PrintStream proxyLog;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<String> scrapeTargets = new ArrayList<>();
  private volatile LocalRedis redis;
  private volatile LocalPostgres pg;
  private volatile int adminPort = ADMIN_PORT;
  private String xdsAddress;
  private volatile ControlPlane controlPlane;
  private Path identityDir;
  private final Map<String, String> inbound = new LinkedHashMap<>();
  private volatile Consumer<DemoInfo> onChange = i -> {};

  private VotingDemo(DemoOptions options, PrintStream out, boolean verbose) {
    this.options = options;
    this.out = out;
    this.proxyLog = verbose ? out : new PrintStream(OutputStream.nullOutputStream());
  }

  /**
   * Starts everything and returns once vote answers through the gateway and result serves its
   * tally; on failure whatever was started is stopped before the exception is thrown.
   */
  public static VotingDemo start(DemoOptions options, PrintStream out, boolean verbose) throws DemoStartException, InterruptedException {
    var demo = create(options, out, verbose);
    demo.start();
    return demo;
  }

  /**
   * A demo not started yet, so that a caller can arrange for {@link #close()} (e.g. a shutdown
   * hook for Ctrl-C) before {@link #start()} launches anything.
   */
  public static VotingDemo create(DemoOptions options, PrintStream out, boolean verbose) {
    return new VotingDemo(options, out, verbose);
  }

  /** See {@link #start(DemoOptions, PrintStream, boolean)}; a concurrent {@link #close()} stops it. */
  public void start() throws DemoStartException, InterruptedException {
    try {
      startAll();
    } catch (DemoStartException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Remembers something to stop; if the demo was closed meanwhile (Ctrl-C), stops it at once. */
  private <T extends AutoCloseable> T track(T c) throws DemoStartException {
    synchronized (started) {
      if (!closed.get()) {
        started.push(c);
        return c;
      }
    }
    try {
      c.close();
    } catch (Exception e) {
      // stopping anyway
    }
    throw new DemoStartException("the demo was stopped while starting");
  }

  public URI voteUrl() {
    return URI.create("http://" + options.ip(1) + ":" + VOTE_PORT + "/");
  }

  public URI resultUrl() {
    return URI.create("http://" + options.ip(1) + ":" + RESULT_PORT + "/");
  }

  public URI consoleUrl() {
    return URI.create("http://" + DemoOptions.HOST + ":" + options.consolePort() + "/");
  }

  /** The control plane's REST API, or null in routing mode (which has none). */
  public String controlPlane() {
    return options.mode() == DemoOptions.Mode.MESH ? "http://" + DemoOptions.HOST + ":" + options.controlPort() : null;
  }

  /** The console's trace view. */
  public URI tracesUrl() {
    return URI.create(consoleUrl() + "#/traces");
  }

  /** The routing mesh's (routing mode) or the ingress gateway's (mesh mode) admin interface. */
  public URI ingressAdminUrl() {
    return URI.create("http://" + options.ip(1) + ":" + adminPort + "/");
  }

  public DemoOptions options() {
    return options;
  }

  /** Called with fresh {@link #info()} when something it holds changes (PostgreSQL restarted: new pid). */
  public void onChange(Consumer<DemoInfo> listener) {
    this.onChange = listener;
  }

  /**
   * The URLs, the pids of the processes this demo started and a probe per component; the demo
   * JVM's own pid and log are filled in by whoever writes the state file.
   */
  public DemoInfo info() {
    var pids = new TreeMap<String, Long>();
    pids.put("demo", ProcessHandle.current().pid());
    var r = redis;
    var p = pg;
    if (r != null) {
      r.pid().ifPresent(x -> pids.put("redis", x));
    }
    if (p != null) {
      p.pid().ifPresent(x -> pids.put("postgres", x));
    }
    var probes = new LinkedHashMap<String, String>();
    boolean mesh = options.mode() == DemoOptions.Mode.MESH;
    probes.put("vote (through the " + (mesh ? "gateway" : "routing mesh") + ")", voteUrl() + "healthz");
    probes.put("result (through the " + (mesh ? "gateway" : "routing mesh") + ")", resultUrl() + "api/results");
    probes.put("vote v1", "http://" + options.ip(2) + ":" + VOTE_PORT + "/healthz");
    probes.put("vote v2", "http://" + options.ip(3) + ":" + VOTE_PORT + "/healthz");
    probes.put("worker", "http://" + options.ip(4) + ":" + WORKER_HEALTH_PORT + "/healthz");
    probes.put("result", "http://" + options.ip(5) + ":" + RESULT_PORT + "/healthz");
    if (r != null) {
      probes.put("redis", "tcp://" + r.address());
    }
    if (p != null) {
      probes.put("postgres", "tcp://" + p.address());
    }
    probes.put(mesh ? "ingress gateway" : "routing mesh", ingressAdminUrl() + "ready");
    inbound.forEach((k, v) -> probes.put(k + " (sidecar inbound, mTLS)", "tcp://" + v));
    if (mesh) {
      probes.put("control plane", controlPlane() + "/ready");
      var cp = controlPlane;
      if (cp != null && cp.ca() != null) {
        probes.put("certificate authority", "tcp://" + DemoOptions.HOST + ":" + cp.ca().port());
      }
    }
    probes.put("console", consoleUrl().toString());
    return new DemoInfo(voteUrl().toString(), resultUrl().toString(), consoleUrl().toString(), tracesUrl().toString(),
        controlPlane(), mesh ? null : ingressAdminUrl().toString(), options.mode().name().toLowerCase(java.util.Locale.ROOT),
        ProcessHandle.current().pid(), 0, null, pids, probes);
  }

  private void startAll() throws DemoStartException, InterruptedException {
    boolean mesh = options.mode() == DemoOptions.Mode.MESH;
    if (mesh) {
      for (String f : APPLIED) {
        if (!Files.isRegularFile(options.meshDir().resolve(f))) {
          throw new DemoStartException(options.meshDir().resolve(f) + " is missing; run the demo from a Meshwork checkout"
              + " or pass --mesh-dir samples/voting-app/mesh");
        }
      }
    }
    checkPorts();
    if (LocalPostgres.binaries().isEmpty()) {
      throw new DemoStartException("no PostgreSQL binaries were found (none installed, and the bundled ones are for linux x86_64);"
          + " install PostgreSQL (e.g. apt-get install -y postgresql) and run the demo again");
    }

    out.println("demo: starting Redis and PostgreSQL (generated passwords)...");
    try {
      redis = track(LocalRedis.start());
      out.println(redis.kind() == LocalRedis.Kind.REDIS_SERVER ? "demo:   redis-server on " + redis.address()
          : "demo:   redis-server is not installed: the embedded Redis stand-in on " + redis.address());
      pg = track(LocalPostgres.start());
      out.println("demo:   PostgreSQL on " + pg.address());
    } catch (RuntimeException e) {
      throw new DemoStartException("the backing stores could not start: " + e.getMessage(), e);
    }

    String v1 = options.ip(2);
    String v2 = options.ip(3);
    String worker = options.ip(4);
    String result = options.ip(5);
    // Where each app finds Redis and PostgreSQL: its sidecar's local binds (mesh), the services' virtual addresses (routing).
    Map<String, String> redisFor = new LinkedHashMap<>();
    Map<String, String> dbFor = new LinkedHashMap<>();
    if (mesh) {
      var configDir = writeConfig(redis, pg);
      out.println("demo: starting the control plane (REST " + options.controlPort() + ", xDS " + options.xdsPort() + ")...");
      var cp = startControlPlane(configDir);
      out.println("demo:   applied " + String.join(", ", APPLIED) + " from " + options.meshDir()
          + " and the voting app's Services (" + configDir + ")");
      xdsAddress = DemoOptions.HOST + ":" + cp.xdsPort();
      String xds = xdsAddress;
      // The console (and its Zipkin port) before any proxy, so that every proxy's first configuration
      // already exports spans to it: a vote cast the moment the demo says it is ready has its trace.
      out.println("demo: starting the console on " + consoleUrl() + " (finding the proxies through the control plane)...");
      startConsole();
      out.println("demo: starting the sidecars, each with its own identity (join tokens in " + identityDir + ", mode 0600)...");
      // Redis and PostgreSQL listen on 127.0.0.1: their sidecars terminate mTLS there, on free ports.
      int redisInbound = freePort();
      int dbInbound = freePort();
      sidecar(xds, "redis", Map.of("app", "redis", "version", "v1"), "redis", redis.address().host(),
          Map.of("tcp-redis", redis.address().port()), Map.of("tcp-redis", redisInbound), options.ip(6), false, false);
      sidecar(xds, "db", Map.of("app", "db", "version", "v1"), "db", pg.address().host(),
          Map.of("tcp-postgres", pg.address().port()), Map.of("tcp-postgres", dbInbound), options.ip(7), false, false);
      sidecar(xds, "vote-v1", Map.of("app", "vote", "version", "v1"), "vote", v1, Map.of("http", VOTE_PORT),
          Map.of("http", INBOUND_PORT), v1, true, false);
      sidecar(xds, "vote-v2", Map.of("app", "vote", "version", "v2"), "vote", v2, Map.of("http", VOTE_PORT),
          Map.of("http", INBOUND_PORT), v2, true, false);
      sidecar(xds, "worker", Map.of("app", "worker", "version", "v1"), "worker", worker, Map.of(), Map.of(), worker, true, true);
      sidecar(xds, "result", Map.of("app", "result", "version", "v1"), "result", result, Map.of("http", RESULT_PORT),
          Map.of("http", INBOUND_PORT), result, false, true);
      for (var ip : List.of(v1, v2, worker)) {
        redisFor.put(ip, ip + ":" + REDIS_PORT);
      }
      for (var ip : List.of(worker, result)) {
        dbFor.put(ip, ip + ":" + DB_PORT);
      }
    } else {
      startRoutingMesh(v1, v2, result);
      for (var ip : List.of(v1, v2, worker)) {
        redisFor.put(ip, options.ip(6) + ":" + REDIS_PORT);
      }
      for (var ip : List.of(worker, result)) {
        dbFor.put(ip, options.ip(7) + ":" + DB_PORT);
      }
    }
    String via = mesh ? "through its sidecar" : "through the routing mesh";

    out.println("demo: starting the voting app (vote v1, vote v2, worker, result)...");
    var base = new LinkedHashMap<String, String>();
    base.put("REDIS_PASSWORD", redis.password());
    base.put("DB_USER", pg.user());
    base.put("DB_PASSWORD", pg.password());
    base.put("DB_NAME", pg.database());
    base.put("OPTION_A", "Cats");
    base.put("OPTION_B", "Dogs");
    for (var v : List.of(Map.entry("v1", v1), Map.entry("v2", v2))) {
      var s = Settings.of(base).with("BIND", v.getValue()).with("PORT", String.valueOf(VOTE_PORT)).with("VERSION", v.getKey())
          .with("HOSTNAME", "vote-" + v.getKey()).with("REDIS_ADDR", redisFor.get(v.getValue()));
      track(VoteService.start(VoteConfig.from(s)));
      out.println("demo:   vote " + v.getKey() + " on " + v.getValue() + ":" + VOTE_PORT + " (Redis " + via + " at "
          + redisFor.get(v.getValue()) + ")");
    }
    track(WorkerService.start(WorkerConfig.from(Settings.of(base).with("REDIS_ADDR", redisFor.get(worker))
        .with("DB_ADDR", dbFor.get(worker)).with("BIND", worker).with("PORT", String.valueOf(WORKER_HEALTH_PORT)))));
    out.println("demo:   worker (Redis and PostgreSQL " + via + " at " + redisFor.get(worker) + " and " + dbFor.get(worker)
        + "; health on " + worker + ":" + WORKER_HEALTH_PORT + ")");
    track(ResultService.start(ResultConfig.from(Settings.of(base).with("BIND", result).with("PORT", String.valueOf(RESULT_PORT))
        .with("DB_ADDR", dbFor.get(result)))));
    out.println("demo:   result on " + result + ":" + RESULT_PORT + " (PostgreSQL " + via + " at " + dbFor.get(result) + ")");

    if (mesh) {
      out.println("demo: starting the ingress gateway on " + options.ip(1) + " (ports " + VOTE_PORT + ", " + RESULT_PORT + ")...");
      var gwNode = NodeInfo.sidecar("istio-ingressgateway", "default", Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"),
          options.ip(1), Map.of()).asGateway().withServiceAccount("istio-ingressgateway");
      adminPort = startProxy(xds(), gwNode, options.ip(1), "ingress gateway");
      awaitPort(options.ip(1), VOTE_PORT, "the gateway's vote port");
      awaitPort(options.ip(1), RESULT_PORT, "the gateway's result port");
    }

    if (!mesh) {
      out.println("demo: starting the console on " + consoleUrl() + " (scraping the routing mesh)...");
      startConsole();
    }

    out.println("demo: waiting for vote v1 and v2 and result to answer through the " + (mesh ? "gateway" : "routing mesh") + "...");
    awaitThroughGateway();

    startPostgresWatchdog();
    if (options.trafficRps() > 0) {
      out.println("demo: traffic generator: " + options.trafficRps() + " requests/s (vote page, a vote from one of "
          + TrafficGenerator.VOTERS + " simulated voters, result) through the " + (mesh ? "gateway" : "routing mesh")
          + "; --no-traffic turns it off");
      track(TrafficGenerator.start(voteUrl(), resultUrl(), options.trafficRps(), out));
    }
  }

  private String xds() {
    return xdsAddress;
  }

  private void startRoutingMesh(String v1, String v2, String result) throws DemoStartException {
    var services = List.of(
        new RoutingMesh.Service("vote", new InetSocketAddress(options.ip(1), VOTE_PORT),
            List.of(new InetSocketAddress(v1, VOTE_PORT), new InetSocketAddress(v2, VOTE_PORT))),
        new RoutingMesh.Service("result", new InetSocketAddress(options.ip(1), RESULT_PORT),
            List.of(new InetSocketAddress(result, RESULT_PORT))),
        new RoutingMesh.Service("redis", new InetSocketAddress(options.ip(6), REDIS_PORT),
            List.of(new InetSocketAddress(redis.address().host(), redis.address().port()))),
        new RoutingMesh.Service("db", new InetSocketAddress(options.ip(7), DB_PORT),
            List.of(new InetSocketAddress(pg.address().host(), pg.address().port()))));
    out.println("demo: starting the L4 routing mesh (no control plane, sidecars, mTLS or HTTP routing):");
    for (var s : services) {
      out.println("demo:   " + s.name() + " at " + s.vip().getHostString() + ":" + s.vip().getPort() + " -> round robin over "
          + String.join(", ", s.replicas().stream().map(a -> a.getHostString() + ":" + a.getPort()).toList()));
    }
    RoutingMesh rm;
    try {
      rm = track(RoutingMesh.start(services, new InetSocketAddress(options.ip(1), ADMIN_PORT), proxyLog));
    } catch (ProxyStartException | RuntimeException e) {
      throw new DemoStartException("the routing mesh could not start: " + e.getMessage(), e);
    }
    adminPort = rm.adminPort();
    scrapeTargets.add("http://" + options.ip(1) + ":" + rm.adminPort() + "/stats/prometheus");
  }

  /**
   * Starts PostgreSQL again {@code --postgres-restart-delay} (3 s) after it died, as a container
   * restart policy with a back-off would; meanwhile votes wait in Redis and the worker holds one.
   */
  private void startPostgresWatchdog() throws DemoStartException {
    var stop = new AtomicBoolean();
    var t = Thread.ofVirtual().name("meshwork-demo-postgres-watchdog").start(() -> {
      long diedAt = 0;
      while (!stop.get()) {
        try {
          Thread.sleep(500);
          var p = pg;
          if (p == null || stop.get() || p.pid().isPresent()) {
            diedAt = 0;
            continue;
          }
          if (diedAt == 0) {
            diedAt = System.nanoTime();
            out.println("demo: PostgreSQL stopped (killed?); starting it again in " + options.postgresRestartSeconds()
                + " s (votes wait in Redis meanwhile)");
          } else if (System.nanoTime() - diedAt >= Duration.ofSeconds(options.postgresRestartSeconds()).toNanos() && p.restartIfDied()) {
            diedAt = 0;
            out.println("demo:   PostgreSQL is back on " + p.address() + " (pid " + p.pid().orElse(-1) + ")");
            onChange.accept(info());
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          out.println("demo:   PostgreSQL did not start again: " + e.getMessage().lines().findFirst().orElse("") + "; retrying");
        }
      }
    });
    track(() -> {
      stop.set(true);
      t.interrupt();
      t.join(Duration.ofSeconds(45));
    });
  }

  private void checkPorts() throws DemoStartException {
    boolean mesh = options.mode() == DemoOptions.Mode.MESH;
    var checks = new ArrayList<Object[]>();
    if (mesh) {
      checks.add(new Object[] {DemoOptions.HOST, options.controlPort(), "the control plane's REST API", "--control-port"});
      checks.add(new Object[] {DemoOptions.HOST, options.xdsPort(), "the control plane's xDS server", "--xds-port"});
    }
    checks.add(new Object[] {DemoOptions.HOST, options.consolePort(), "the console", "--console-port"});
    String ingress = mesh ? "the gateway's" : "the routing mesh's";
    checks.add(new Object[] {options.ip(1), VOTE_PORT, ingress + " vote port", "--ip-prefix"});
    checks.add(new Object[] {options.ip(1), RESULT_PORT, ingress + " result port", "--ip-prefix"});
    for (int n = 1; n <= (mesh ? 7 : 1); n++) {
      checks.add(new Object[] {options.ip(n), ADMIN_PORT, mesh ? "a proxy's admin port" : "the routing mesh's admin port", "--ip-prefix"});
    }
    checks.add(new Object[] {options.ip(2), VOTE_PORT, "vote v1", "--ip-prefix"});
    checks.add(new Object[] {options.ip(3), VOTE_PORT, "vote v2", "--ip-prefix"});
    checks.add(new Object[] {options.ip(4), WORKER_HEALTH_PORT, "the worker's health endpoint", "--ip-prefix"});
    checks.add(new Object[] {options.ip(5), RESULT_PORT, "result", "--ip-prefix"});
    if (mesh) {
      for (int n = 2; n <= 4; n++) {
        checks.add(new Object[] {options.ip(n), REDIS_PORT, "a sidecar's Redis bind", "--ip-prefix"});
      }
      checks.add(new Object[] {options.ip(4), DB_PORT, "a sidecar's PostgreSQL bind", "--ip-prefix"});
      checks.add(new Object[] {options.ip(5), DB_PORT, "a sidecar's PostgreSQL bind", "--ip-prefix"});
      for (int n : new int[] {2, 3, 5}) {
        checks.add(new Object[] {options.ip(n), INBOUND_PORT, "a sidecar's inbound (mTLS) port", "--ip-prefix"});
      }
    } else {
      checks.add(new Object[] {options.ip(6), REDIS_PORT, "the routing mesh's Redis address", "--ip-prefix"});
      checks.add(new Object[] {options.ip(7), DB_PORT, "the routing mesh's PostgreSQL address", "--ip-prefix"});
    }
    var seen = new HashSet<String>();
    for (var c : checks) {
      String host = (String) c[0];
      int port = (Integer) c[1];
      if (!seen.add(host + ":" + port)) {
        throw new DemoStartException("port " + port + " on " + host + " is wanted twice (" + c[2] + "); choose other ports");
      }
      try (var s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(host, port));
      } catch (IOException e) {
        throw new DemoStartException("port " + port + " on " + host + " (" + c[2] + ") is already in use or cannot be bound ("
            + e.getMessage() + "); stop what uses it (a demo already running?) or pass " + c[3]);
      }
    }
  }

  private Path writeConfig(LocalRedis redis, LocalPostgres pg) throws DemoStartException {
    try {
      var dir = Files.createTempDirectory("meshwork-demo-");
      track(() -> deleteTree(dir));
      for (String f : APPLIED) {
        Files.copy(options.meshDir().resolve(f), dir.resolve(f));
      }
      Files.writeString(dir.resolve("voting-app-services.yaml"), services());
      return dir;
    } catch (IOException e) {
      throw new DemoStartException("cannot write the demo's configuration to a temporary directory: " + e.getMessage(), e);
    }
  }

  /**
   * The Services of samples/voting-app/kubernetes. Their endpoints are the workloads' sidecars as
   * they connect (auto-registration), Redis's and PostgreSQL's too, so every hop is sidecar to sidecar.
   */
  static String services() {
    return """
        # Written by 'meshwork demo': the voting app's Services (as in samples/voting-app/kubernetes).
        # The endpoints are the sidecars that connect with matching labels (Redis's and PostgreSQL's too).
        apiVersion: v1
        kind: Service
        metadata: {name: vote, labels: {app: vote, service: vote}}
        spec:
          selector: {app: vote}
          ports:
          - {name: http, port: 8080, targetPort: 8080}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: result, labels: {app: result, service: result}}
        spec:
          selector: {app: result}
          ports:
          - {name: http, port: 8081, targetPort: 8081}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: redis, labels: {app: redis, service: redis}}
        spec:
          selector: {app: redis}
          ports:
          - {name: tcp-redis, port: 6379, targetPort: 6379}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: db, labels: {app: db, service: db}}
        spec:
          selector: {app: db}
          ports:
          - {name: tcp-postgres, port: 5432, targetPort: 5432}
        """;
  }

  private ControlPlane startControlPlane(Path configDir) throws DemoStartException {
    ControlPlane cp;
    try {
      var base = options.stateDir() != null ? options.stateDir() : Files.createTempDirectory("meshwork-demo-state-");
      Files.createDirectories(base);
      var dir = Files.createTempDirectory(base, "identity-");
      track(() -> deleteTree(dir)); // the CA key and the join tokens live only as long as the demo
      identityDir = dir;
      // The CA's gRPC port is ephemeral: the sidecars are in this JVM and 'demo status' shows it.
      cp = ControlPlane.start(new ControlPlane.Options(configDir, DemoOptions.HOST, options.controlPort(), options.xdsPort(),
          Duration.ofSeconds(10), Duration.ofMillis(100), true), CaSettings.selfSigned(dir.resolve("ca"), 0));
      Files.writeString(dir.resolve("root-cert.pem"), cp.ca().rootPem());
    } catch (IOException e) {
      throw new DemoStartException("the control plane could not start: " + e.getMessage(), e);
    }
    track(cp);
    controlPlane = cp;
    var r = cp.directory().lastResult();
    if (!r.ok()) {
      throw new DemoStartException("the control plane rejected the demo's configuration: " + String.join("; ",
          r.errors().stream().map(String::valueOf).toList()));
    }
    return cp;
  }

  /**
   * One workload's sidecar: its node on {@code ip} (where the app listens), the inbound ports where
   * it terminates mTLS for the app, its admin and Prometheus ports on {@code adminIp}, its own
   * identity ({@code sa} in namespace default), and the upstream binds the app uses for Redis and
   * PostgreSQL.
   */
  private void sidecar(String xds, String name, Map<String, String> labels, String sa, String ip, Map<String, Integer> appPorts,
      Map<String, Integer> inboundPorts, String adminIp, boolean redis, boolean db) throws DemoStartException, InterruptedException {
    var binds = new LinkedHashMap<String, String>();
    if (redis) {
      binds.put("redis:" + REDIS_PORT, ip + ":" + REDIS_PORT);
    }
    if (db) {
      binds.put("db:" + DB_PORT, ip + ":" + DB_PORT);
    }
    var node = NodeInfo.sidecar(name, "default", labels, ip, appPorts).withUpstreamBinds(binds).withServiceAccount(sa)
        .withInboundPorts(inboundPorts);
    startProxy(xds, node, adminIp, "sidecar " + name);
    for (var b : binds.values()) {
      awaitPort(ip, Integer.parseInt(b.substring(b.lastIndexOf(':') + 1)), "sidecar " + name + "'s bind " + b);
    }
    for (var p : inboundPorts.values()) {
      awaitPort(ip, p, "sidecar " + name + "'s inbound port");
      inbound.put(name, ip + ":" + p);
    }
  }

  /** Issues {@code sa}'s join token (0600) with the control plane's CA, as 'meshwork token create' does. */
  private WorkloadAgent.Options identity(String workload, String sa) throws DemoStartException {
    var token = identityDir.resolve(workload + ".token");
    try {
      controlPlane.ca().issueJoinToken("default", sa, null, token);
    } catch (IOException e) {
      throw new DemoStartException("cannot write " + token + ": " + e.getMessage(), e);
    }
    return new WorkloadAgent.Options(DemoOptions.HOST + ":" + controlPlane.ca().port(), token, identityDir.resolve("root-cert.pem"),
        SpiffeId.of("default", sa), null, KeyAlgorithm.EC_P256);
  }

  private int startProxy(String xds, NodeInfo node, String ip, String what) throws DemoStartException, InterruptedException {
    XdsProxy proxy;
    try {
      proxy = XdsProxy.start(xds, node, new InetSocketAddress(ip, ADMIN_PORT), 1,
          new PrintStream(OutputStream.nullOutputStream()), proxyLog, identity(node.workloadName(), node.serviceAccount()));
    } catch (ProxyStartException e) {
      throw new DemoStartException(what + " could not start: " + e.getMessage(), e);
    }
    track(proxy);
    if (!proxy.awaitFirstConfig(WAIT)) {
      throw new DemoStartException(what + " got no configuration from the control plane within " + WAIT.toSeconds() + " s");
    }
    String id = proxy.agent() != null && proxy.agent().secrets().current() != null
        ? "as " + SpiffeId.of(node.namespace(), node.serviceAccount()) : "without a certificate yet";
    out.println("demo:   " + what + " " + id + " (admin " + ip + ":"
        + proxy.server().adminPort() + ", configuration version " + proxy.version()
        + (proxy.lastRejection().isEmpty() ? "" : ", last rejection: " + proxy.lastRejection()) + ")");
    return proxy.server().adminPort();
  }

  private void startConsole() throws DemoStartException {
    var d = ConsoleOptions.defaults();
    // Mesh mode: the console also takes Zipkin v2 spans (an ephemeral port), which every proxy sends.
    int zipkin = options.mode() == DemoOptions.Mode.MESH ? 0 : -1;
    var o = new ConsoleOptions(DemoOptions.HOST, options.consolePort(), -1, -1, zipkin, d.maxTraces(), d.maxTraceBytes(), null,
        scrapeTargets.stream().map(URI::create).toList(), Duration.ofSeconds(2), d.retention(), d.maxMetricBytes(), null);
    if (options.mode() == DemoOptions.Mode.MESH) {
      // Every connected proxy's Prometheus endpoint, found through the control plane; config badges too.
      o = o.withControlPlane(URI.create(controlPlane()));
    }
    ConsoleServer console;
    try {
      console = ConsoleServer.start(o, Clock.systemUTC());
      track(console);
    } catch (IOException | RuntimeException e) {
      throw new DemoStartException("the console could not start: " + e.getMessage(), e);
    }
    if (options.mode() == DemoOptions.Mode.MESH) {
      // Istio's default samples 1% of requests; the demo traces every request so that each vote has its trace.
      controlPlane.meshTelemetry(io.meshwork.control.observability.MeshTelemetry.builder()
          .zipkin(DemoOptions.HOST + ":" + console.zipkinPort()).sampling(100).build());
    }
  }

  private void awaitPort(String host, int port, String what) throws DemoStartException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try (var s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new DemoStartException(what + " (" + host + ":" + port + ") did not open within " + WAIT.toSeconds() + " s");
  }

  private void awaitThroughGateway() throws DemoStartException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    var versions = new HashSet<String>();
    boolean resultUp = false;
    String last = "no answer";
    var timeout = Duration.ofSeconds(5);
    while (System.nanoTime() < deadline && (versions.size() < 2 || !resultUp)) {
      try {
        var r = PlainHttp.get(voteUrl(), Map.of(), timeout);
        last = "vote answered " + r.status();
        if (r.status() == 200 && r.header(VoteService.VERSION_HEADER) != null) {
          versions.add(r.header(VoteService.VERSION_HEADER));
        }
        if (!resultUp) {
          var rr = PlainHttp.get(resultUrl().resolve("/api/results"), Map.of(), timeout);
          resultUp = rr.status() == 200;
          last = "result answered " + rr.status();
        }
      } catch (IOException e) {
        last = e.toString();
      }
      if (versions.size() < 2 || !resultUp) {
        Thread.sleep(50);
      }
    }
    if (versions.isEmpty() || !resultUp) {
      throw new DemoStartException("vote and result did not answer through the gateway within " + WAIT.toSeconds() + " s (" + last + ")");
    }
    if (versions.size() < 2) {
      out.println("demo:   note: only vote " + versions + " answered so far");
    }
  }

  /** Stops everything this demo started, newest first; safe to call twice. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    StartedParts.closeAll(started, out);
  }

  private static int freePort() throws DemoStartException {
    try (var s = new ServerSocket()) {
      s.bind(new InetSocketAddress(DemoOptions.HOST, 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new DemoStartException("no free port on " + DemoOptions.HOST + ": " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (var p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
