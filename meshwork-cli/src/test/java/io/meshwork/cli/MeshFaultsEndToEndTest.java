package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults under steady load (issue 12): a control plane reading its config directory, the service
 * {@code ratings} with three endpoints on fake upstreams, and a sidecar following the control plane
 * over xDS with an upstream bind for {@code ratings:9080}. Load comes from client threads that each
 * open a connection per request ({@code connection: close}), so every request is a fresh accept,
 * route and upstream pick, and a failure is counted exactly once. The only time bounds asserted are
 * the scenarios' own ("ejected within 10 s").
 */
@Timeout(120)
class MeshFaultsEndToEndTest {
  static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata: {name: ratings}
      spec:
        selector: {app: ratings}
        ports:
        - {name: http, port: 9080}
      """;
  static final String CLUSTER = "outbound|9080||ratings.default.svc.cluster.local";
  /** A VirtualService for ratings with a route timeout (ms), a change that leaves the routing as it is. */
  static final String TIMEOUT_VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: ratings}
      spec:
        hosts: [ratings]
        http:
        - route:
          - destination: {host: ratings}
          timeout: %dms
      """;

  @TempDir Path configDir;
  final List<FakeUpstream> endpoints = new ArrayList<>();
  final List<XdsProxy> proxies = new ArrayList<>();
  ControlPlane cp;
  int xdsPort;

  @BeforeEach
  void startEndpoints() throws Exception {
    for (var name : List.of("e1", "e2", "e3")) {
      endpoints.add(FakeUpstream.named(name).start());
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (var p : proxies) {
      p.close();
    }
    if (cp != null) {
      cp.close();
    }
    for (var e : endpoints) {
      e.close();
    }
  }

  /** The service, its three WorkloadEntries and {@code extra} (a DestinationRule, a VirtualService). */
  String mesh(String extra) {
    var b = new StringBuilder(SERVICE);
    for (var e : endpoints) {
      b.append("""
          ---
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: ratings-%s}
          spec:
            address: 127.0.0.1
            labels: {app: ratings, instance: %s}
            ports: {http: %d}
          """.formatted(e.name(), e.name(), e.port()));
    }
    return extra.isEmpty() ? b.toString() : b + "---\n" + extra;
  }

  void writeConfig(String yaml) throws IOException {
    var tmp = configDir.resolve("mesh.yaml.tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, configDir.resolve("mesh.yaml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  void startControlPlane(int port) throws IOException {
    cp = ControlPlane.start(new ControlPlane.Options(configDir, "127.0.0.1", 0, port, Duration.ofSeconds(30), Duration.ofMillis(20), true));
    xdsPort = cp.xdsPort();
  }

  /** Starts a sidecar whose bind for ratings:9080 is on a free port, with an admin port; returns the bind port. */
  int startProxy(String workload) throws Exception {
    int bind;
    try (var s = new ServerSocket(0)) {
      bind = s.getLocalPort();
    }
    var node = NodeInfo.sidecar(workload, "default", Map.of("app", workload), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("ratings:9080", "127.0.0.1:" + bind));
    var proxy = XdsProxy.start("127.0.0.1:" + xdsPort, node, new InetSocketAddress("127.0.0.1", 0), null, 1,
        new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), System.err);
    proxies.add(proxy);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
    await(Duration.ofSeconds(15), () -> call(bind).status() == 200, "the bind listener serves");
    return bind;
  }

  /** One request on its own connection; status -1 with the exception text when the connection failed. */
  static Result call(int port) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /ratings/1 HTTP/1.1\r\nHost: ratings:9080\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      var got = new java.io.ByteArrayOutputStream();
      try {
        s.getInputStream().transferTo(got);
      } catch (java.net.SocketTimeoutException e) {
        return new Result(-1, e + " after " + got.size() + " bytes", true); // a hang, told apart from a slow answer
      }
      return Result.parse(new java.io.ByteArrayInputStream(got.toByteArray()));
    } catch (IOException e) {
      return new Result(-1, e.toString(), false);
    }
  }

  /** A response as the load client saw it; {@code connected} false when the connection was refused. */
  record Result(int status, String body, boolean connected) {
    static Result parse(InputStream in) throws IOException {
      var all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      if (!all.startsWith("HTTP/1.1 ")) {
        return new Result(-1, "no response: " + all, true);
      }
      int status = Integer.parseInt(all.substring(9, 12));
      int split = all.indexOf("\r\n\r\n");
      return new Result(status, split < 0 ? "" : all.substring(split + 4), true);
    }
  }

  /** Closed-loop client threads; each request goes to the first port that accepts the connection. */
  static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicInteger> byBody = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> byPort = new ConcurrentHashMap<>();
    final List<Thread> threads = new ArrayList<>();
    volatile int[] ports;

    Load(int threads, long pauseMillis, int... ports) {
      this.ports = ports;
      for (int t = 0; t < threads; t++) {
        this.threads.add(Thread.ofVirtual().start(() -> {
          while (running.get()) {
            Result r = null;
            for (int p : this.ports) {
              r = call(p);
              if (r.connected()) {
                byPort.computeIfAbsent(p, k -> new AtomicInteger()).incrementAndGet();
                break; // a refused connection is a client-side failover, like a load balancer's
              }
            }
            if (r.status() == 200) {
              ok.incrementAndGet();
              byBody.computeIfAbsent(r.body(), k -> new AtomicInteger()).incrementAndGet();
            } else {
              failures.add(r.status() + " " + r.body());
            }
            if (pauseMillis > 0) {
              try {
                Thread.sleep(pauseMillis);
              } catch (InterruptedException e) {
                return;
              }
            }
          }
        }));
      }
    }

    long total() {
      return ok.get() + failures.size();
    }

    int count(String body) {
      var c = byBody.get(body);
      return c == null ? 0 : c.get();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (var t : threads) {
        t.join();
      }
    }
  }

  static void await(Duration max, BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + max + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  long stat(XdsProxy p, String name) {
    return p.server().stats().value(name);
  }

  /** Downstream connections every HTTP connection manager of {@code p} accepted. */
  static long accepted(XdsProxy p) {
    return p.server().stats().snapshot().entrySet().stream()
        .filter(e -> e.getKey().startsWith("http.") && e.getKey().endsWith(".downstream_cx_total")).mapToLong(Map.Entry::getValue).sum();
  }

  @Test
  void anEndpointKilledUnderLoadIsEjectedWithinSecondsAndReturnsWhenRestarted() throws Exception {
    writeConfig(mesh("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings}
        spec:
          host: ratings
          trafficPolicy:
            outlierDetection: {consecutiveGatewayErrors: 2, consecutive5xxErrors: 5, interval: 1s, baseEjectionTime: 2s, maxEjectionPercent: 50}
        """));
    startControlPlane(0);
    int bind = startProxy("productpage");
    var proxy = proxies.getFirst();
    var dead = endpoints.get(1);
    int deadPort = dead.port();
    try (var load = new Load(4, 2, bind)) {
      Thread.sleep(1500);
      assertThat(load.count("e2")).as("e2 serves before it dies").isPositive();
      long killedAt = System.nanoTime();
      dead.close();
      await(Duration.ofSeconds(10), () -> stat(proxy, "cluster." + CLUSTER + ".outlier_detection.ejections_enforced_total") > 0,
          "the dead endpoint is ejected");
      long ejectedMs = (System.nanoTime() - killedAt) / 1_000_000;
      System.err.printf("reliability: e2 ejected %d ms after it was killed%n", ejectedMs);
      Thread.sleep(2000);
      int servedByE2 = load.count("e2");
      dead.start(deadPort);
      await(Duration.ofSeconds(15), () -> load.count("e2") > servedByE2, "the restarted endpoint gets traffic again");
      Thread.sleep(500);
      load.close();
      System.err.printf("reliability: endpoint kill: %d requests, %d failed %s, retries %d%n", load.total(), load.failures.size(),
          load.failures.stream().limit(5).toList(), stat(proxy, "cluster." + CLUSTER + ".upstream_rq_retry"));
      assertThat(load.total()).isGreaterThan(100);
      // No request may hang or fail otherwise. A request already on a pooled connection when the endpoint
      // dies gets 503 UC, as in Istio (its default retryOn has no 'reset'): at most 2, or 0.1% of many.
      assertThat(load.failures).as("failures other than a 503 at the kill").allMatch(f -> f.startsWith("503 "));
      assertThat(load.failures.size()).as("503s at the kill: %s", load.failures).isLessThanOrEqualTo(Math.max(2, (int) (load.total() / 1000)));
      assertThat(stat(proxy, "cluster." + CLUSTER + ".upstream_rq_retry")).as("connect failures were retried on another host").isPositive();
    }
  }

  @Test
  void aSlowEndpointGetsLittleTrafficUnderLeastRequestAndPerTryTimeoutsFire() throws Exception {
    endpoints.get(2).respondWith(Reply.ok("e3").withDelay(Duration.ofMillis(500)));
    writeConfig(mesh("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings}
        spec:
          host: ratings
          trafficPolicy:
            loadBalancer: {simple: LEAST_REQUEST}
        """));
    startControlPlane(0);
    int bind = startProxy("productpage");
    var proxy = proxies.getFirst();
    try (var load = new Load(8, 0, bind)) {
      Thread.sleep(3000);
      load.close();
      int slow = load.count("e3");
      System.err.printf("reliability: LEAST_REQUEST with e3 +500 ms: e1 %d, e2 %d, e3 %d of %d%n", load.count("e1"), load.count("e2"), slow,
          load.total());
      assertThat(load.failures).isEmpty();
      assertThat(load.total()).isGreaterThan(200);
      // Power of two choices picks with replacement, as Envoy's does: both picks land on the slow
      // host with probability 1/9, which is the floor of its share; round robin would give it 1/3.
      assertThat((double) slow / load.total()).as("round robin would give the slow endpoint a third").isLessThan(0.2);
    }

    // Timeouts as configured: a 300 ms per-try timeout (the slow host takes 500 ms) retried on another host hides the
    // slow one. 300 ms, not 200: a fast host stalled past 200 ms on a loaded CI machine often enough to fail two requests.
    writeConfig(mesh("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings}
        spec:
          host: ratings
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: ratings}
        spec:
          hosts: [ratings]
          http:
          - route:
            - destination: {host: ratings}
            timeout: 2s
            retries: {attempts: 3, perTryTimeout: 300ms, retryOn: 5xx}
        """));
    cp.directory().reload();
    String perTry = "cluster." + CLUSTER + ".upstream_rq_per_try_timeout";
    try (var load = new Load(4, 0, bind)) {
      await(Duration.ofSeconds(15), () -> stat(proxy, perTry) > 3, "per-try timeouts fire on the slow endpoint");
      Thread.sleep(3000); // a sample of a few hundred requests under the new config
      load.close();
      System.err.printf("reliability: per-try timeout 300 ms: %d requests, %d per-try timeouts, failures %s%n", load.total(),
          stat(proxy, perTry), load.failures.stream().limit(5).toList());
      // A request fails only if every try timed out: the slow host and the fast ones stalled over 300 ms, which a
      // loaded CI machine did once in a run (504 after three timeouts; twice in a sample of about 200 in session 7). The
      // slow host itself must stay hidden: if retries did not avoid it, every request sent to it would fail, far above this.
      assertThat((long) load.failures.size()).as("requests that failed although retries could go to fast hosts: %s", load.failures)
          .isLessThanOrEqualTo(Math.max(3, load.total() / 100));
    }
  }

  @Test
  void theControlPlaneKilledUnderLoadFailsNoRequestAndTheProxyResyncsOnRestart() throws Exception {
    writeConfig(mesh(""));
    startControlPlane(0);
    int port = xdsPort;
    int bind = startProxy("productpage");
    var proxy = proxies.getFirst();
    try (var load = new Load(4, 2, bind)) {
      Thread.sleep(500);
      long version = proxy.version();
      cp.close();
      cp = null;
      // While it is down, the config changes: only e1 serves ratings from now on.
      writeConfig(mesh("""
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: ratings}
          spec:
            host: ratings
            subsets:
            - {name: one, labels: {instance: e1}}
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: ratings}
          spec:
            hosts: [ratings]
            http:
            - route:
              - destination: {host: ratings, subset: one}
          """));
      Thread.sleep(3000);
      long okWhileDown = load.ok.get();
      assertThat(okWhileDown).isPositive();
      startControlPlane(port);
      await(Duration.ofSeconds(20), () -> proxy.version() > version, "the proxy reconnects and takes the new config");
      await(Duration.ofSeconds(20), () -> cp.xds().proxies().stream().anyMatch(p -> p.workload().equals("productpage")),
          "the restarted control plane sees the proxy");
      Thread.sleep(300);
      int e2 = load.count("e2");
      int e3 = load.count("e3");
      Thread.sleep(1000);
      load.close();
      System.err.printf("reliability: control plane down 3 s: %d requests, %d failed%n", load.total(), load.failures.size());
      assertThat(load.failures).as("no request fails while the control plane is away or comes back").isEmpty();
      assertThat(load.count("e2") + load.count("e3")).as("the config written while it was down is served").isEqualTo(e2 + e3);
    }
  }

  /**
   * Config churn (issue 12): 100 changes, one every 200 ms (300 per minute, three times the issue's
   * rate), while traffic flows. No request may fail, and nothing may keep the configs that were
   * replaced alive: every snapshot the proxy published and every cluster runtime it built is
   * watched through a weak reference, and once the churn is over all but the current ones must be
   * collectable. That is the structural form of "no memory growth": a leak of old route tables,
   * cluster runtimes (with their load balancers, outlier detectors and circuit breakers) or pools
   * keyed by them would keep them reachable, whatever the heap size says.
   */
  @Test
  @Timeout(240) // 100 changes at 200 ms plus the pushes took 67 s at load average 25
  void aHundredConfigChangesUnderLoadFailNoRequestAndLeaveNoOldSnapshotAlive() throws Exception {
    writeConfig(mesh(""));
    startControlPlane(0);
    int bind = startProxy("productpage");
    var proxy = proxies.getFirst();
    long first = proxy.version();
    Runtime rt = Runtime.getRuntime();
    long heapBefore = 0;
    var snapshots = new ConcurrentLinkedQueue<java.lang.ref.WeakReference<io.meshwork.proxy.runtime.Snapshot>>();
    var runtimes = new ConcurrentLinkedQueue<java.lang.ref.WeakReference<Object>>();
    var sampling = new AtomicBoolean(true);
    var sampler = Thread.ofVirtual().start(() -> {
      io.meshwork.proxy.runtime.Snapshot seen = null;
      while (sampling.get()) {
        var now = proxy.server().snapshots().current();
        if (now != seen) {
          snapshots.add(new java.lang.ref.WeakReference<>(now));
          for (var c : now.clusters().entrySet()) {
            if (seen == null || seen.clusters().get(c.getKey()) != c.getValue()) {
              runtimes.add(new java.lang.ref.WeakReference<>(c.getValue()));
            }
          }
          seen = now;
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    int changes = 100;
    try (var load = new Load(4, 2, bind)) {
      for (int i = 0; i < changes; i++) {
        var target = endpoints.get(i % 3).name();
        writeConfig(mesh("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings}
            spec:
              host: ratings
              subsets:
              - {name: only, labels: {instance: %s}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: ratings}
            spec:
              hosts: [ratings]
              http:
              - route:
                - destination: {host: ratings, subset: only}
                timeout: %dms
            """.formatted(target, 5000 + i)));
        cp.directory().reload();
        if (i == 10) {
          System.gc();
          heapBefore = rt.totalMemory() - rt.freeMemory();
        }
        Thread.sleep(200);
      }
      load.close();
      long last = proxy.version();
      Thread.sleep(300); // the sampler sees the final snapshot
      sampling.set(false);
      sampler.join();
      var current = proxy.server().snapshots().current();
      var currentRuntimes = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Object, Boolean>());
      currentRuntimes.addAll(current.clusters().values());
      java.util.function.LongSupplier liveOldSnapshots = () -> snapshots.stream()
          .map(java.lang.ref.Reference::get).filter(x -> x != null && x != current).count();
      java.util.function.LongSupplier liveOldRuntimes = () -> runtimes.stream()
          .map(java.lang.ref.Reference::get).filter(x -> x != null && !currentRuntimes.contains(x)).count();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((liveOldSnapshots.getAsLong() > 0 || liveOldRuntimes.getAsLong() > 0) && System.nanoTime() < deadline) {
        System.gc();
        Thread.sleep(200);
      }
      System.gc();
      long heapAfter = rt.totalMemory() - rt.freeMemory();
      System.err.printf("reliability: %d changes in ~%d s: %d requests, %d failed, versions %d -> %d, snapshots seen %d (old alive %d),"
              + " cluster runtimes built %d (old alive %d), heap after GC %d MB -> %d MB%n", changes, changes / 5, load.total(),
          load.failures.size(), first, last, snapshots.size(), liveOldSnapshots.getAsLong(), runtimes.size(),
          liveOldRuntimes.getAsLong(), heapBefore >> 20, heapAfter >> 20);
      assertThat(load.failures).isEmpty();
      assertThat(last - first).as("changes applied (debounce may merge a few)").isGreaterThanOrEqualTo(changes / 2);
      assertThat(snapshots.size()).as("the sampler saw the churn").isGreaterThanOrEqualTo(changes / 4);
      assertThat(runtimes.size()).as("changed clusters got new runtimes").isGreaterThan(changes / 4);
      assertThat(liveOldSnapshots.getAsLong()).as("replaced snapshots still reachable").isZero();
      assertThat(liveOldRuntimes.getAsLong()).as("replaced cluster runtimes still reachable").isZero();
      assertThat(load.count("e1")).isPositive();
      assertThat(load.count("e2")).isPositive();
      assertThat(load.count("e3")).isPositive();
    } finally {
      sampling.set(false);
    }
  }

  @Test
  void aDrainedProxyFinishesInFlightRequestsAndTheOtherTakesOver() throws Exception {
    for (var e : endpoints) {
      e.respondWith(Reply.ok(e.name()).withDelay(Duration.ofMillis(200)));
    }
    writeConfig(mesh(""));
    startControlPlane(0);
    int bindA = startProxy("front-a");
    int bindB = startProxy("front-b");
    var a = proxies.get(0);
    try (var load = new Load(8, 0, bindA, bindB)) {
      Thread.sleep(1000);
      long servedByA = load.byPort.get(bindA).get();
      var admin = java.net.http.HttpClient.newHttpClient();
      var drained = admin.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + a.server().adminPort() + "/drain_listeners"))
          .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(drained.statusCode()).isEqualTo(200);
      // An xDS push reaches A while it drains: A takes the new snapshot but must not listen again.
      long versionA = a.version();
      long acceptedByA = accepted(a);
      writeConfig(mesh(TIMEOUT_VS.formatted(4000)));
      cp.directory().reload();
      await(Duration.ofSeconds(15), () -> a.version() > versionA, "the drained proxy still receives config");
      assertThat(call(bindA).connected()).as("A stays drained after the xDS update").isFalse();
      assertThat(stat(a, "server.state")).as("A reports DRAINING").isEqualTo(1);
      // In-flight requests on A finish (200 ms each); new connections go to B.
      Thread.sleep(1000);
      assertThat(accepted(a)).as("A accepted nothing after the drain")
          .isEqualTo(acceptedByA);
      a.close();
      proxies.remove(a);
      Thread.sleep(1000);
      load.close();
      System.err.printf("reliability: drain: %d requests, %d failed, %d served by A before drain%n", load.total(), load.failures.size(),
          servedByA);
      assertThat(load.failures).as("no request failed across drain and stop").isEmpty();
      assertThat(servedByA).isPositive();
      assertThat(call(bindA).connected()).as("A is gone").isFalse();
      assertThat(call(bindB).status()).isEqualTo(200);
    }
  }

  /**
   * Hostile input on the xDS port: random bytes, an HTTP/1.1 request, a TLS ClientHello, a truncated
   * HTTP/2 preface left hanging, and an HTTP/2 preface followed by garbage frames. The control plane
   * must drop those connections without harm: the connected proxy keeps receiving changes and a new
   * proxy still connects.
   */
  @Test
  void garbageOnTheXdsPortHarmsNeitherTheControlPlaneNorItsProxies() throws Exception {
    writeConfig(mesh(""));
    startControlPlane(0);
    int bind = startProxy("productpage");
    var proxy = proxies.getFirst();
    var random = new java.util.Random(12);
    var junk = new byte[256 * 1024];
    random.nextBytes(junk);
    var inputs = List.of(junk,
        "GET /envoy.service.discovery.v3.AggregatedDiscoveryService HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        java.util.HexFormat.of().parseHex("16030100a10100009d0303" + "00".repeat(32) + "000200ff0100"),
        "PRI * HTTP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
        concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII), junk));
    var hanging = new ArrayList<Socket>();
    try {
      for (int round = 0; round < 5; round++) {
        for (var in : inputs) {
          var s = new Socket("127.0.0.1", xdsPort);
          try {
            s.getOutputStream().write(in);
          } catch (IOException closedByServer) {
            // fine: the server may reset the connection mid-write
          }
          hanging.add(s);
        }
      }
      long version = proxy.version();
      writeConfig(mesh("""
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: ratings}
          spec:
            host: ratings
            subsets:
            - {name: one, labels: {instance: e1}}
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: ratings}
          spec:
            hosts: [ratings]
            http:
            - route:
              - destination: {host: ratings, subset: one}
          """));
      cp.directory().reload();
      await(Duration.ofSeconds(15), () -> proxy.version() > version, "the connected proxy still receives changes");
      await(Duration.ofSeconds(15), () -> "e1".equals(call(bind).body()), "the change serves");
      int second = startProxy("details");
      assertThat(call(second).body()).as("a new proxy connects and serves").isEqualTo("e1");
    } finally {
      for (var s : hanging) {
        s.close();
      }
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    var out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
