package io.meshwork.cli.demo;

import io.meshwork.cli.transparent.CapturedSidecar;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.samples.voting.local.LocalPostgres;
import io.meshwork.samples.voting.local.LocalRedis;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.testing.netns.Pod;
import io.meshwork.testing.netns.PodNetwork;
import io.meshwork.testing.netns.PodUser;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The voting app in transparent mode ({@code meshwork demo --transparent}), as in Kubernetes: every
 * workload (vote v1, vote v2, worker, result, redis, db) runs in a pod of its own (a network
 * namespace on a bridge, see {@link PodNetwork}) with Istio's iptables capture rules and a
 * {@link CapturedSidecar} with its own identity. The apps know nothing of the mesh: they open
 * {@code redis:6379} and {@code db:5432} by name ({@code /etc/hosts} in each pod gives the
 * Services' virtual addresses, which are also their {@code clusterIP}s), and the capture rules
 * hand those connections to the sidecars, which speak mTLS to each other (STRICT, and the Redis
 * authorization policy, as in mesh mode). The apps run as processes in their pods (the Java
 * services as root, redis-server and PostgreSQL as uid 1000, since PostgreSQL refuses root); the
 * control plane, the console and the ingress gateway stay on the host so the printed URLs work.
 * {@link #close()} removes everything; a crashed demo's namespaces go when the next one starts
 * (PodNetwork's stale cleanup).
 */
public final class TransparentDemo implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String WORK_PREFIX = "meshwork-transparent-";

  private final DemoOptions options;
  private final PrintStream out;
  private final PrintStream proxyLog;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final Map<String, CapturedSidecar> sidecars = new LinkedHashMap<>();
  private final Map<String, Long> pids = new java.util.concurrent.ConcurrentSkipListMap<>();
  private volatile java.util.function.Consumer<DemoInfo> onChange = i -> {};
  private ControlPlane controlPlane;
  private PodNetwork network;
  private Path work;
  private int gatewayAdmin;
  private boolean closed;

  private TransparentDemo(DemoOptions options, PrintStream out, boolean verbose) {
    this.options = options;
    this.out = out;
    this.proxyLog = verbose ? out : new PrintStream(OutputStream.nullOutputStream());
  }

  /** Why transparent mode cannot run here (not Linux, not root, no iptables...), or empty. */
  public static java.util.Optional<String> unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return java.util.Optional.of("network namespaces and iptables are Linux only");
    }
    var reason = PodNetwork.unavailable();
    if (reason.isPresent()) {
      return reason;
    }
    try {
      var iptables = io.meshwork.proxy.capture.CommandRunner.local().run(List.of("iptables-restore", "--version"), "");
      return iptables.ok() ? java.util.Optional.empty() : java.util.Optional.of("iptables-restore does not run (install iptables)");
    } catch (IOException e) {
      return java.util.Optional.of("iptables-restore is not installed (" + e.getMessage() + ")");
    }
  }

  /**
   * Removes what demos that died without cleaning up left: their pods (and the processes in them,
   * through PodNetwork's stale cleanup) and their work directories in the temporary directory.
   */
  public static void cleanStale() {
    var base = Path.of(System.getProperty("java.io.tmpdir"));
    if (unavailable().isEmpty()) {
      PodNetwork.cleanStale();
    }
    try (Stream<Path> dirs = Files.list(base)) {
      for (var d : dirs.toList()) {
        var m = java.util.regex.Pattern.compile(WORK_PREFIX + "(\\d+)-.*").matcher(d.getFileName().toString());
        if (m.matches() && !ProcessHandle.of(Long.parseLong(m.group(1))).map(ProcessHandle::isAlive).orElse(false)) {
          deleteTree(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      // a leftover is removed next time
    }
  }

  /** Starts everything; on failure whatever was started is stopped before the exception is thrown. */
  public static TransparentDemo start(DemoOptions options, PrintStream out, boolean verbose)
      throws DemoStartException, InterruptedException {
    var demo = new TransparentDemo(options, out, verbose);
    try {
      demo.startAll();
    } catch (DemoStartException | InterruptedException | RuntimeException e) {
      demo.close();
      throw e;
    }
    return demo;
  }

  public URI voteUrl() {
    return URI.create("http://" + options.ip(1) + ":" + VotingDemo.VOTE_PORT + "/");
  }

  public URI resultUrl() {
    return URI.create("http://" + options.ip(1) + ":" + VotingDemo.RESULT_PORT + "/");
  }

  public URI consoleUrl() {
    return URI.create("http://" + DemoOptions.HOST + ":" + options.consolePort() + "/");
  }

  public String controlPlane() {
    return "http://" + DemoOptions.HOST + ":" + options.controlPort();
  }

  /** The captured sidecar of a workload (vote-v1, vote-v2, worker, result, redis, db). */
  public CapturedSidecar sidecar(String workload) {
    return sidecars.get(workload);
  }

  /** The pod network (its namespaces are {@code PodNetwork.PREFIX + id + "-" + pod}). */
  public PodNetwork network() {
    return network;
  }

  /** The URLs, the pids of the app processes and a probe per component, for the state file and 'demo status'. */
  public DemoInfo info() {
    var probes = new LinkedHashMap<String, String>();
    probes.put("vote (through the gateway)", voteUrl() + "healthz");
    probes.put("result (through the gateway)", resultUrl() + "api/results");
    probes.put("ingress gateway", "http://" + options.ip(1) + ":" + gatewayAdmin + "/ready");
    sidecars.forEach((k, s) -> probes.put("sidecar " + k + " (pod " + s.netns() + ")",
        "http://" + DemoOptions.HOST + ":" + s.proxy().server().adminPort() + "/ready"));
    probes.put("control plane", controlPlane() + "/ready");
    probes.put("console", consoleUrl().toString());
    var p = new TreeMap<>(pids);
    p.put("demo", ProcessHandle.current().pid());
    return new DemoInfo(voteUrl().toString(), resultUrl().toString(), consoleUrl().toString(), consoleUrl() + "#/traces",
        controlPlane(), null, "transparent", ProcessHandle.current().pid(), 0, null, p, probes);
  }

  private <T extends AutoCloseable> T track(T c) {
    synchronized (started) {
      started.push(c);
    }
    return c;
  }

  private void startAll() throws DemoStartException, InterruptedException {
    var why = unavailable();
    if (why.isPresent()) {
      throw new DemoStartException("--transparent needs Linux and root (network namespaces and iptables): " + why.get()
          + "; run it as root on Linux or use the default mesh mode");
    }
    for (String f : VotingDemo.APPLIED) {
      if (!Files.isRegularFile(options.meshDir().resolve(f))) {
        throw new DemoStartException(options.meshDir().resolve(f) + " is missing; run the demo from a Meshwork checkout"
            + " or pass --mesh-dir samples/voting-app/mesh");
      }
    }
    var pgBin = LocalPostgres.binaries().orElseThrow(() -> new DemoStartException("no PostgreSQL binaries were found;"
        + " install PostgreSQL (e.g. apt-get install -y postgresql) and run the demo again"));
    try {
      // In the temporary directory, not the state directory (under a 0700 home): uid 1000 (PostgreSQL) must reach it.
      var base = Path.of(System.getProperty("java.io.tmpdir"));
      cleanStale();
      // Named after this JVM so that a crashed demo's directory (its CA key, tokens, PostgreSQL data) is found and removed.
      work = Files.createTempDirectory(base, WORK_PREFIX + ProcessHandle.current().pid() + "-");
      Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new DemoStartException("cannot create a temporary directory: " + e.getMessage(), e);
    }
    track(() -> deleteTree(work));

    out.println("demo: creating the pod network (a namespace per workload, Services with virtual addresses)...");
    try {
      network = track(PodNetwork.create());
    } catch (RuntimeException e) {
      throw new DemoStartException("the pod network could not be created: " + e.getMessage(), e);
    }
    var vips = new LinkedHashMap<String, String>();
    for (var svc : List.of("vote", "result", "redis", "db")) {
      vips.put(svc, network.addService(svc).getHostAddress());
    }
    var pods = new LinkedHashMap<String, Pod>();
    for (var w : List.of("redis", "db", "vote-v1", "vote-v2", "worker", "result")) {
      pods.put(w, network.addPod(w + "-pod"));
    }

    out.println("demo: starting the control plane (REST " + options.controlPort() + ", xDS " + options.xdsPort() + ")...");
    startControlPlane(vips);
    String xds = DemoOptions.HOST + ":" + controlPlane.xdsPort();
    // The console (and the way to its Zipkin port) before any proxy, so that every proxy's first
    // configuration already exports spans: a vote cast the moment the demo is ready has its trace.
    out.println("demo: starting the console on " + consoleUrl() + " (finding the sidecars through the control plane)...");
    startConsole();

    String redisPassword = secret();
    String dbPassword = secret();
    out.println("demo: starting redis-server and PostgreSQL in their pods (uid 1000)...");
    startRedis(pods.get("redis"), redisPassword);
    startPostgres(pods.get("db"), pgBin, dbPassword);

    out.println("demo: starting the captured sidecars, each with its own identity...");
    sidecar(xds, pods.get("redis"), "redis", "redis", "v1", Map.of("tcp-redis", VotingDemo.REDIS_PORT));
    sidecar(xds, pods.get("db"), "db", "db", "v1", Map.of("tcp-postgres", VotingDemo.DB_PORT));
    sidecar(xds, pods.get("vote-v1"), "vote-v1", "vote", "v1", Map.of("http", VotingDemo.VOTE_PORT));
    sidecar(xds, pods.get("vote-v2"), "vote-v2", "vote", "v2", Map.of("http", VotingDemo.VOTE_PORT));
    sidecar(xds, pods.get("worker"), "worker", "worker", "v1", Map.of());
    sidecar(xds, pods.get("result"), "result", "result", "v1", Map.of("http", VotingDemo.RESULT_PORT));
    awaitPort(pods.get("redis"), VotingDemo.REDIS_PORT, "redis-server");
    awaitPort(pods.get("db"), VotingDemo.DB_PORT, "PostgreSQL");

    out.println("demo: starting the voting app in its pods (Redis at redis:6379, PostgreSQL at db:5432, by name)...");
    var base = new LinkedHashMap<String, String>();
    base.put("REDIS_PASSWORD", redisPassword);
    base.put("DB_USER", LocalPostgres.USER);
    base.put("DB_PASSWORD", dbPassword);
    base.put("DB_NAME", LocalPostgres.DATABASE);
    base.put("OPTION_A", "Cats");
    base.put("OPTION_B", "Dogs");
    base.put("REDIS_ADDR", "redis:" + VotingDemo.REDIS_PORT);
    base.put("DB_ADDR", "db:" + VotingDemo.DB_PORT);
    base.put("BIND", "0.0.0.0");
    for (var v : List.of("v1", "v2")) {
      var env = new LinkedHashMap<>(base);
      env.put("PORT", String.valueOf(VotingDemo.VOTE_PORT));
      env.put("VERSION", v);
      env.put("HOSTNAME", "vote-" + v);
      javaApp(pods.get("vote-" + v), "vote-" + v, "vote", env);
    }
    var workerEnv = new LinkedHashMap<>(base);
    workerEnv.put("PORT", String.valueOf(VotingDemo.WORKER_HEALTH_PORT));
    javaApp(pods.get("worker"), "worker", "worker", workerEnv);
    var resultEnv = new LinkedHashMap<>(base);
    resultEnv.put("PORT", String.valueOf(VotingDemo.RESULT_PORT));
    javaApp(pods.get("result"), "result", "result", resultEnv);

    out.println("demo: starting the ingress gateway on " + options.ip(1) + " (ports " + VotingDemo.VOTE_PORT + ", "
        + VotingDemo.RESULT_PORT + ")...");
    var gwNode = NodeInfo.sidecar("istio-ingressgateway", "default", Map.of("istio", "ingressgateway", "app", "istio-ingressgateway"),
        options.ip(1), Map.of()).asGateway().withServiceAccount("istio-ingressgateway");
    XdsProxy gw;
    try {
      gw = track(XdsProxy.start(xds, gwNode, new InetSocketAddress(options.ip(1), VotingDemo.ADMIN_PORT), 1,
          new PrintStream(OutputStream.nullOutputStream()), proxyLog, identity("istio-ingressgateway", "istio-ingressgateway")));
    } catch (ProxyStartException e) {
      throw new DemoStartException("the ingress gateway could not start: " + e.getMessage(), e);
    }
    if (!gw.awaitFirstConfig(WAIT)) {
      throw new DemoStartException("the ingress gateway got no configuration within " + WAIT.toSeconds() + " s");
    }
    gatewayAdmin = gw.server().adminPort();

    out.println("demo: waiting for vote and result to answer through the gateway...");
    awaitThroughGateway();
    if (options.trafficRps() > 0) {
      track(TrafficGenerator.start(voteUrl(), resultUrl(), options.trafficRps(), out));
    }
  }

  /**
   * The console on the host's loopback, scraping every proxy the control plane knows (their admin
   * ports are on the host's loopback too, see {@link CapturedSidecar}), and taking Zipkin spans. A
   * sidecar exports spans from inside its pod, where the host's loopback is not reachable: the
   * mesh's telemetry names a relay on the bridge's host address ({@link PodNetwork#gateway()}, every
   * pod's default route, and a local address of the host), which copies the connections to the
   * console's Zipkin port on loopback. The console's UI stays on loopback only.
   */
  private void startConsole() throws DemoStartException {
    var d = io.meshwork.console.ConsoleOptions.defaults();
    var co = new io.meshwork.console.ConsoleOptions(DemoOptions.HOST, options.consolePort(), -1, -1, 0, d.maxTraces(),
        d.maxTraceBytes(), null, List.of(), Duration.ofSeconds(2), d.retention(), d.maxMetricBytes(), null)
        .withControlPlane(URI.create(controlPlane()));
    io.meshwork.console.ConsoleServer console;
    try {
      console = track(io.meshwork.console.ConsoleServer.start(co, java.time.Clock.systemUTC()));
    } catch (IOException | RuntimeException e) {
      throw new DemoStartException("the console could not start: " + e.getMessage(), e);
    }
    var bridge = network.gateway();
    InetSocketAddress relay;
    try (var probe = new java.net.ServerSocket()) {
      probe.bind(new InetSocketAddress(bridge, 0));
      relay = new InetSocketAddress(bridge.getHostAddress(), probe.getLocalPort());
    } catch (IOException e) {
      throw new DemoStartException("no free port on the pod network's bridge " + bridge.getHostAddress() + ": " + e.getMessage(), e);
    }
    try {
      track(RoutingMesh.start(List.of(new RoutingMesh.Service("zipkin", relay,
          List.of(new InetSocketAddress(DemoOptions.HOST, console.zipkinPort())))), new InetSocketAddress(DemoOptions.HOST, 0),
          new PrintStream(OutputStream.nullOutputStream())));
    } catch (ProxyStartException | RuntimeException e) {
      throw new DemoStartException("the Zipkin relay on " + relay + " could not start: " + e.getMessage(), e);
    }
    // Istio's default samples 1% of requests; the demo traces every request so that each vote has its trace.
    controlPlane.meshTelemetry(io.meshwork.control.observability.MeshTelemetry.builder()
        .zipkin(relay.getHostString() + ":" + relay.getPort()).sampling(100).build());
  }

  private void startControlPlane(Map<String, String> vips) throws DemoStartException {
    try {
      var config = Files.createDirectories(work.resolve("config"));
      for (String f : VotingDemo.APPLIED) {
        Files.copy(options.meshDir().resolve(f), config.resolve(f));
      }
      var services = new StringBuilder("# Written by 'meshwork demo --transparent': the voting app's Services,"
          + " their clusterIPs the pod network's virtual addresses.\n");
      for (var svc : List.of(new String[] {"vote", "http", "8080"}, new String[] {"result", "http", "8081"},
          new String[] {"redis", "tcp-redis", "6379"}, new String[] {"db", "tcp-postgres", "5432"})) {
        services.append("""
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: %1$s, labels: {app: %1$s, service: %1$s}}
            spec:
              clusterIP: %4$s
              selector: {app: %1$s}
              ports:
              - {name: %2$s, port: %3$s, targetPort: %3$s}
            """.formatted(svc[0], svc[1], svc[2], vips.get(svc[0])));
      }
      Files.writeString(config.resolve("voting-app-services.yaml"), services.toString());
      var identity = Files.createDirectories(work.resolve("identity"));
      controlPlane = track(ControlPlane.start(new ControlPlane.Options(config, DemoOptions.HOST, options.controlPort(),
          options.xdsPort(), Duration.ofSeconds(10), Duration.ofMillis(100), true), CaSettings.selfSigned(identity.resolve("ca"), 0)));
      Files.writeString(identity.resolve("root-cert.pem"), controlPlane.ca().rootPem());
    } catch (IOException | RuntimeException e) {
      throw new DemoStartException("the control plane could not start: " + e.getMessage(), e);
    }
    var r = controlPlane.directory().lastResult();
    if (!r.ok()) {
      throw new DemoStartException("the control plane rejected the demo's configuration: "
          + String.join("; ", r.errors().stream().map(String::valueOf).toList()));
    }
  }

  private WorkloadAgent.Options identity(String workload, String sa) throws DemoStartException {
    var dir = work.resolve("identity");
    var token = dir.resolve(workload + ".token");
    try {
      controlPlane.ca().issueJoinToken("default", sa, null, token);
    } catch (IOException e) {
      throw new DemoStartException("cannot write " + token + ": " + e.getMessage(), e);
    }
    return new WorkloadAgent.Options(DemoOptions.HOST + ":" + controlPlane.ca().port(), token, dir.resolve("root-cert.pem"),
        SpiffeId.of("default", sa), null, KeyAlgorithm.EC_P256);
  }

  private void sidecar(String xds, Pod pod, String workload, String app, String version, Map<String, Integer> ports)
      throws DemoStartException, InterruptedException {
    CapturedSidecar s;
    try {
      s = track(CapturedSidecar.start(pod.netns(), pod.address(), pod.threadFactory(PodUser.PROXY), InterceptionMode.REDIRECT, xds,
          workload, "default", Map.of("app", app, "version", version), app, ports, identity(workload, app),
          new InetSocketAddress(DemoOptions.HOST, 0), proxyLog));
    } catch (IOException | ProxyStartException | RuntimeException e) {
      throw new DemoStartException("the sidecar of " + workload + " could not start: " + e.getMessage(), e);
    }
    if (!s.awaitReady(WAIT)) {
      throw new DemoStartException("the sidecar of " + workload + " got no configuration within " + WAIT.toSeconds() + " s");
    }
    sidecars.put(workload, s);
    out.println("demo:   " + workload + " in pod " + pod.address().getHostAddress() + " (" + pod.netns() + "), sidecar as "
        + SpiffeId.of("default", app) + ", admin " + DemoOptions.HOST + ":" + s.proxy().server().adminPort());
  }

  private void startRedis(Pod pod, String password) throws DemoStartException {
    var server = LocalRedis.installedServer();
    if (server.isPresent()) {
      var conf = work.resolve("redis.conf");
      try {
        Files.writeString(conf, "port 6379\nbind 0.0.0.0\nprotected-mode no\nsave \"\"\nappendonly no\nrequirepass " + password + "\n");
        chown(conf);
      } catch (IOException e) {
        throw new DemoStartException("cannot write " + conf + ": " + e.getMessage(), e);
      }
      process(pod, PodUser.APP, "redis", Map.of(), server.get().toString(), conf.toString());
    } else {
      javaApp(pod, "redis", "redis-standin", Map.of("REDIS_PASSWORD", password, "PORT", "6379"));
    }
  }

  private void startPostgres(Pod pod, Path bin, String password) throws DemoStartException, InterruptedException {
    var dir = work.resolve("pg");
    var pwfile = work.resolve("pg.pw");
    try {
      Files.createDirectories(dir);
      Files.writeString(pwfile, password + "\n");
      chown(dir);
      chown(pwfile);
    } catch (IOException e) {
      throw new DemoStartException("cannot prepare PostgreSQL's directory " + dir + ": " + e.getMessage(), e);
    }
    var data = dir.resolve("data");
    var init = pod.run(PodUser.APP, Duration.ofSeconds(120), bin.resolve("initdb").toString(), "-D", data.toString(), "-U",
        LocalPostgres.USER, "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
    if (!init.ok()) {
      throw new DemoStartException("initdb failed in the db pod: " + init);
    }
    try {
      Files.deleteIfExists(pwfile);
      // The sidecar hands connections to PostgreSQL from 127.0.0.6 (inbound passthrough), not 127.0.0.1.
      Files.writeString(data.resolve("pg_hba.conf"), "host all all 0.0.0.0/0 scram-sha-256\n", java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new DemoStartException("cannot configure PostgreSQL in " + data + ": " + e.getMessage(), e);
    }
    String[] postgres = {bin.resolve("postgres").toString(), "-D", data.toString(), "-p", "5432", "-c", "listen_addresses=0.0.0.0",
        "-c", "unix_socket_directories=" + dir, "-c", "fsync=off", "-c", "max_connections=50"};
    process(pod, PodUser.APP, "postgres", Map.of(), postgres);
    startPostgresWatchdog(pod, postgres);
  }

  /**
   * Starts PostgreSQL again in its pod {@code --postgres-restart-delay} (3 s) after it died,
   * as a container restart policy would (and as mesh mode does); meanwhile votes wait in Redis and
   * the worker holds the one it popped. A start that fails (the killed postmaster's backends still
   * hold its shared memory) dies too and is retried the same way. The new pid goes to the state file
   * through {@link #onChange}.
   */
  private void startPostgresWatchdog(Pod pod, String[] command) {
    var stop = new java.util.concurrent.atomic.AtomicBoolean();
    var t = Thread.ofVirtual().name("meshwork-demo-postgres-watchdog").start(() -> {
      long diedAt = 0;
      while (!stop.get()) {
        try {
          Thread.sleep(500);
          long pid = pids.getOrDefault("postgres", -1L);
          if (stop.get() || DetachedDemo.running(pid)) {
            diedAt = 0;
            continue;
          }
          if (diedAt == 0) {
            diedAt = System.nanoTime();
            out.println("demo: PostgreSQL stopped (killed?); starting it again in " + options.postgresRestartSeconds()
                + " s (votes wait in Redis meanwhile)");
          } else if (System.nanoTime() - diedAt >= Duration.ofSeconds(options.postgresRestartSeconds()).toNanos()) {
            diedAt = 0;
            synchronized (started) {
              if (closed) {
                return;
              }
              process(pod, PodUser.APP, "postgres", Map.of(), command);
            }
            out.println("demo:   PostgreSQL started again in pod " + pod.address().getHostAddress() + " (pid " + pids.get("postgres") + ")");
            onChange.accept(info());
          }
        } catch (InterruptedException e) {
          return;
        } catch (DemoStartException | RuntimeException e) {
          out.println("demo:   PostgreSQL did not start again: " + e.getMessage() + "; retrying");
        }
      }
    });
    track(() -> {
      stop.set(true);
      t.interrupt();
      t.join(Duration.ofSeconds(30));
    });
  }

  /** Called with fresh {@link #info()} when something it holds changes (PostgreSQL restarted: new pid). */
  public void onChange(java.util.function.Consumer<DemoInfo> listener) {
    this.onChange = listener;
  }

  private void javaApp(Pod pod, String name, String service, Map<String, String> env) throws DemoStartException {
    String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    process(pod, PodUser.ROOT, name, env, java, "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), "io.meshwork.samples.voting.VotingApp", service);
  }

  /** Starts a process in a pod, its output in the work directory; stopping it ends it (SIGTERM, then SIGKILL) with its children. */
  private void process(Pod pod, PodUser user, String name, Map<String, String> env, String... command) throws DemoStartException {
    var pb = new ProcessBuilder(pod.commandLine(user, command)).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new DemoStartException("cannot start " + name + " in its pod: " + e.getMessage(), e);
    }
    pids.put(name, p.pid());
    track(() -> {
      var children = p.descendants().toList();
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      children.forEach(ProcessHandle::destroyForcibly);
    });
  }

  private void awaitPort(Pod pod, int port, String what) throws DemoStartException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      var r = pod.run(PodUser.PROXY, Duration.ofSeconds(5), "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port);
      if (r.ok()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new DemoStartException(what + " did not listen on port " + port + " in its pod within " + WAIT.toSeconds() + " s (log: "
        + work + ")");
  }

  private void awaitThroughGateway() throws DemoStartException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        var r = PlainHttp.get(voteUrl(), Map.of(), Duration.ofSeconds(5));
        var rr = PlainHttp.get(resultUrl().resolve("/api/results"), Map.of(), Duration.ofSeconds(5));
        last = "vote answered " + r.status() + ", result " + rr.status();
        if (r.status() == 200 && rr.status() == 200) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new DemoStartException("vote and result did not answer through the gateway within " + WAIT.toSeconds() + " s (" + last
        + "; the apps' logs are in " + work + ")");
  }

  private static void chown(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", PodUser.APP.uid());
    Files.setAttribute(p, "unix:gid", PodUser.APP.gid());
  }

  private static String secret() {
    var b = new byte[16];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Stops everything, newest first (apps, sidecars, stores, the network last); safe to call twice. */
  @Override
  public void close() {
    synchronized (started) {
      if (closed) {
        return;
      }
      closed = true;
    }
    StartedParts.closeAll(started, out);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (var p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
