package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import io.meshwork.xds.client.NodeInfo;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Istio YAML in, traffic out: an in-process control plane (store, registry, xDS server on port 0),
 * two versions of {@code reviews} as WorkloadEntries pointing at fake upstreams that answer with
 * their version, and an in-process proxy following the control plane over xDS with an upstream
 * bind for {@code reviews:9080}. Every assertion is on responses through that bind address, after
 * config was written to the store (the Istio traffic-management tasks).
 */
class XdsEndToEndTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        selector: {app: reviews}
        ports:
        - {name: http, port: 9080}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v1}
      spec:
        address: 127.0.0.1
        labels: {app: reviews, version: v1}
        ports: {http: %d}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v2}
      spec:
        address: 127.0.0.1
        labels: {app: reviews, version: v2}
        ports: {http: %d}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  FakeUpstream v1;
  FakeUpstream v2;
  ControlPlane cp;
  XdsProxy proxy;
  int bindPort;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    v1 = FakeUpstream.named("v1").start();
    v2 = FakeUpstream.named("v2").start();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
    apply(MESH.formatted(v1.port(), v2.port()) + "---\n" + route("""
        - route:
          - destination: {host: reviews, subset: v1}
        """));
    try (var s = new ServerSocket(0)) {
      bindPort = s.getLocalPort();
    }
    var node = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bindPort));
    proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out, System.err);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).as("first config from the control plane").isTrue();
    awaitResponse(r -> r.statusCode() == 200 && r.body().equals("v1")); // the bind listener arrives with the reviews routes
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    if (cp != null) {
      cp.close();
    }
    v1.close();
    v2.close();
  }

  static String route(String http) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
        %s""".formatted(http.indent(2));
  }

  void apply(String yaml) {
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(result.errors()).isEmpty();
  }

  HttpResponse<String> get(String... headers) throws Exception {
    var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/reviews/1")).timeout(Duration.ofSeconds(30));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls until a response satisfies {@code done}: the change went store → xDS → proxy. */
  void awaitResponse(Predicate<HttpResponse<String>> done, String... headers) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get(headers);
      } catch (java.io.IOException e) {
        Thread.sleep(20); // the bind listener is not there yet
        continue;
      }
      if (done.test(last)) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("configuration did not reach the proxy; last response " + (last == null ? "none" : last.statusCode() + " " + last.body()));
  }

  @Test
  void requestRoutingAllToV1ThenJasonToV2() throws Exception {
    for (int i = 0; i < 20; i++) {
      var r = get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
    }
    assertThat(get("end-user", "jason").body()).isEqualTo("v1");
    apply(route("""
        - match:
          - headers:
              end-user: {exact: jason}
          route:
          - destination: {host: reviews, subset: v2}
        - route:
          - destination: {host: reviews, subset: v1}
        """));
    awaitResponse(r -> r.body().equals("v2"), "end-user", "jason");
    for (int i = 0; i < 20; i++) {
      assertThat(get("end-user", "jason").body()).isEqualTo("v2");
      assertThat(get("end-user", "mary").body()).isEqualTo("v1");
      assertThat(get().body()).isEqualTo("v1");
    }
  }

  /** Istio's traffic-shifting task: reviews 50/50 between v1 and v3, then 100% v3. */
  @Test
  void trafficShifting5050V1V3ThenAllToV3() throws Exception {
    try (var v3 = FakeUpstream.named("v3").start()) {
      apply("""
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: reviews-v3}
          spec:
            address: 127.0.0.1
            labels: {app: reviews, version: v3}
            ports: {http: %d}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: reviews}
          spec:
            host: reviews
            subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
            - {name: v3, labels: {version: v3}}
          ---
          """.formatted(v3.port()) + route("""
          - route:
            - destination: {host: reviews, subset: v1}
              weight: 50
            - destination: {host: reviews, subset: v3}
              weight: 50
          """));
      awaitResponse(r -> r.body().equals("v3"));
      int ones = 0;
      for (int i = 0; i < 1000; i++) {
        var r = get();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isIn("v1", "v3");
        ones += r.body().equals("v1") ? 1 : 0;
      }
      assertThat(ones).as("v1 share of 1000 (binomial sd 16)").isBetween(440, 560);
      apply(route("""
          - route:
            - destination: {host: reviews, subset: v3}
              weight: 100
          """));
      awaitResponse(r -> r.body().equals("v3"));
      awaitAll("v3");
      assertThat(v2.requests()).as("v2 is not part of this task").isEmpty();
    }
  }

  /** After a change, the first matching answer may race the last old-config one; the next 100 must all match. */
  private void awaitAll(String body) throws Exception {
    Thread.sleep(100);
    for (int i = 0; i < 100; i++) {
      assertThat(get().body()).isEqualTo(body);
    }
  }

  @Test
  void faultInjectionAbortAndDelayForOneUserOnly() throws Exception {
    apply(route("""
        - match:
          - headers:
              end-user: {exact: jason}
          fault:
            abort:
              percentage: {value: 100.0}
              httpStatus: 500
          route:
          - destination: {host: reviews, subset: v1}
        - route:
          - destination: {host: reviews, subset: v1}
        """));
    awaitResponse(r -> r.statusCode() == 500, "end-user", "jason");
    for (int i = 0; i < 10; i++) {
      assertThat(get("end-user", "jason").statusCode()).isEqualTo(500);
      var other = get("end-user", "mary");
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(other.body()).isEqualTo("v1");
    }
    int before = v1.requests().size();
    get("end-user", "jason");
    assertThat(v1.requests()).as("an aborted request never reaches the upstream").hasSize(before);

    // Istio's task: a 7 s delay for jason only. Everyone else is answered without waiting for it.
    apply(route("""
        - match:
          - headers:
              end-user: {exact: jason}
          fault:
            delay:
              percentage: {value: 100.0}
              fixedDelay: 7s
          route:
          - destination: {host: reviews, subset: v1}
        - route:
          - destination: {host: reviews, subset: v1}
        """));
    // Under the abort config jason gets 500 at once; a 200 for jason can only come from the delay route.
    awaitResponse(r -> r.statusCode() == 200, "end-user", "jason");
    long t0 = System.nanoTime();
    var jason = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/reviews/1"))
        .header("end-user", "jason").timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    var mary = get("end-user", "mary");
    assertThat(mary.statusCode()).isEqualTo(200);
    assertThat(mary.body()).isEqualTo("v1");
    assertThat(jason).as("mary's request, sent after jason's, is answered while jason's is still delayed").isNotDone();
    var delayed = jason.get(60, java.util.concurrent.TimeUnit.SECONDS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(delayed.statusCode()).isEqualTo(200);
    assertThat(delayed.body()).isEqualTo("v1");
    assertThat(ms).as("jason's request took at least the fixed delay").isGreaterThanOrEqualTo(7000);
  }

  @Test
  void routeTimeoutGives504WithFlagUT() throws Exception {
    v2.respondWith(Reply.ok("v2").withDelay(Duration.ofSeconds(2)));
    apply(route("""
        - route:
          - destination: {host: reviews, subset: v2}
          timeout: 0.5s
        """));
    awaitResponse(r -> r.statusCode() == 504);
    long t0 = System.nanoTime();
    var r = get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(ms).isGreaterThanOrEqualTo(500);
    // Flag UT is what Envoy sets for exactly this local reply and counter (no access log is configured by the mesh).
    assertThat(r.body()).isEqualTo("upstream request timeout");
    assertThat(proxy.server().stats().value("cluster.outbound|9080|v2|reviews.default.svc.cluster.local.upstream_rq_timeout"))
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void configChangesWhileTrafficFlowsFailNoRequest() throws Exception {
    long served = proxy.version();
    var running = new AtomicBoolean(true);
    var failures = new ConcurrentLinkedQueue<String>();
    var seen = new ConcurrentLinkedQueue<String>();
    var threads = new ArrayList<Thread>();
    for (int t = 0; t < 4; t++) {
      threads.add(Thread.ofVirtual().start(() -> {
        while (running.get()) {
          try {
            var r = get();
            if (r.statusCode() != 200) {
              failures.add(r.statusCode() + " " + r.body());
            } else {
              seen.add(r.body());
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }));
    }
    for (var weights : List.of(new int[] {0, 100}, new int[] {50, 50}, new int[] {100, 0}, new int[] {20, 80}, new int[] {100, 0})) {
      apply(route("""
          - route:
            - destination: {host: reviews, subset: v1}
              weight: %d
            - destination: {host: reviews, subset: v2}
              weight: %d
          """.formatted(weights[0], weights[1])));
      Thread.sleep(400);
    }
    running.set(false);
    for (var t : threads) {
      t.join();
    }
    assertThat(proxy.version()).as("every change was applied").isGreaterThanOrEqualTo(served + 5);
    assertThat(failures).isEmpty();
    assertThat(seen).contains("v1", "v2").hasSizeGreaterThan(100);
  }

  @Test
  void configTheProxyCannotHonourIsNackedAndThePreviousOneKeepsServing() throws Exception {
    assertThat(get().body()).isEqualTo("v1");
    long served = proxy.version();
    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            tls: {mode: SIMPLE, caCertificates: /nonexistent/meshwork/ca.pem}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (proxy.lastRejection().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    // Changed with mTLS: ISTIO_MUTUAL is served now; a CA file the proxy cannot read is a config it cannot honour.
    assertThat(proxy.lastRejection()).contains("transport_socket", "cannot read /nonexistent/meshwork/ca.pem");
    assertThat(proxy.version()).isEqualTo(served);
    for (int i = 0; i < 10; i++) {
      var r = get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
    }
    deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String status = "";
    while (System.nanoTime() < deadline) {
      status = cp.xds().proxies().stream().filter(p -> p.workload().equals("productpage-v1")).findFirst()
          .map(p -> p.types().get("CDS").status() + " " + p.types().get("CDS").lastNack()).orElse("");
      if (status.startsWith("NACKED")) {
        break;
      }
      Thread.sleep(20);
    }
    assertThat(status).as("proxy-status shows the NACK").startsWith("NACKED").contains("transport_socket");
  }

  @Test
  void corsPolicyAnswersPreflightAndMarksAllowedOrigins() throws Exception {
    apply(route("""
        - route:
          - destination: {host: reviews, subset: v1}
          corsPolicy:
            allowOrigins:
            - exact: https://shop.example
            allowMethods: [GET, POST]
            allowHeaders: [x-token]
            maxAge: 24h
        """));
    awaitResponse(r -> r.headers().firstValue("access-control-allow-origin").isPresent(), "origin", "https://shop.example");
    var before = v1.requests().size();
    var preflight = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bindPort + "/reviews/1"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("origin", "https://shop.example").header("access-control-request-method", "POST").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://shop.example");
    assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("GET,POST");
    assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("x-token");
    assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("86400");
    assertThat(v1.requests()).as("the preflight is answered by the proxy").hasSize(before);
    var other = get("origin", "https://evil.example");
    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void retriesHideAFailedFirstAttempt() throws Exception {
    var calls = new java.util.concurrent.atomic.AtomicInteger();
    apply(route("""
        - route:
          - destination: {host: reviews, subset: v1}
          retries:
            attempts: 3
            retryOn: 5xx
        """));
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (retries() != 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(retries()).as("the retry policy reached the proxy").isEqualTo(3);
    v1.respondWith(r -> calls.incrementAndGet() % 2 == 1 ? Reply.status(503) : Reply.ok("v1"));
    for (int i = 0; i < 10; i++) {
      int before = calls.get();
      var r = get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
      assertThat(calls.get() - before).as("one failed attempt, one retry").isEqualTo(2);
    }
  }

  /** The retry count of the bind listener's first route, as the proxy serves it now. */
  private int retries() {
    var l = proxy.server().snapshots().current().config().listeners().getFirst();
    var route = ((io.meshwork.proxy.config.ListenerConfig.Http) l.protocol()).hcm().routes().virtualHosts().getFirst().routes().getFirst();
    return ((io.meshwork.proxy.config.RouteAction.Forward) route.action()).retry().numRetries();
  }

  @Test
  void circuitBreakerOverflowsUnderConcurrency() throws Exception {
    v1.respondWith(Reply.ok("v1").withDelay(Duration.ofMillis(300)));
    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 1}
              http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """);
    var overflow = "cluster.outbound|9080|v1|reviews.default.svc.cluster.local.upstream_cx_overflow";
    var pending = "cluster.outbound|9080|v1|reviews.default.svc.cluster.local.upstream_rq_pending_overflow";
    var cluster = "outbound|9080|v1|reviews.default.svc.cluster.local";
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (proxy.server().snapshots().current().config().cluster(cluster).circuitBreakers().maxConnections() != 1
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(proxy.server().snapshots().current().config().cluster(cluster).circuitBreakers().maxConnections())
        .as("the connection pool settings reached the proxy").isEqualTo(1);
    var codes = new ConcurrentLinkedQueue<Integer>();
    deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!codes.contains(503) && System.nanoTime() < deadline) {
      codes.clear();
      var threads = new ArrayList<Thread>();
      for (int t = 0; t < 20; t++) {
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            codes.add(get().statusCode());
          } catch (Exception e) {
            codes.add(-1);
          }
        }));
      }
      for (var t : threads) {
        t.join();
      }
    }
    assertThat(codes).contains(200, 503).doesNotContain(-1);
    var stats = proxy.server().stats();
    assertThat(stats.value(overflow) + stats.value(pending)).as("503s are circuit-breaker overflows (UO)").isPositive();
  }

  @Test
  void mirroredTrafficReachesTheMirrorAndTheCallerNeverSeesItsAnswers() throws Exception {
    v2.respondWith(Reply.status(500).withBody("mirror"));
    apply(route("""
        - route:
          - destination: {host: reviews, subset: v1}
          mirror: {host: reviews, subset: v2}
          mirrorPercentage: {value: 100.0}
        """));
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (v2.requests().isEmpty() && System.nanoTime() < deadline) {
      assertThat(get().body()).isEqualTo("v1");
      Thread.sleep(20);
    }
    int mirrored = v2.requests().size();
    for (int i = 0; i < 20; i++) {
      var r = get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
    }
    deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (v2.requests().size() < mirrored + 20 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(v2.requests()).hasSizeGreaterThanOrEqualTo(mirrored + 20);
    assertThat(v2.requests().getLast().header("host")).contains("-shadow");
  }

  @Test
  void aBindThatFailsIsNackedAndNothingOfThatConfigServes() throws Exception {
    try (var taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      var node = NodeInfo.sidecar("details-v1", "default", Map.of("app", "details"), "127.0.0.1", Map.of())
          .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + taken.getLocalPort()));
      try (var other = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, System.out, System.err)) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (other.lastRejection().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(other.lastRejection()).contains("cannot bind");
        assertThat(other.version()).isZero();
        assertThat(other.server().snapshots().current().config().version()).as("the swapped-in snapshot was rolled back").isZero();
        assertThat(other.server().snapshots().current().config().clusters()).isEmpty();
      }
    }
    assertThat(get().body()).as("the other proxy is unaffected").isEqualTo("v1");
  }

  @Test
  void theLastGoodConfigKeepsServingWithoutAControlPlaneAndTheProxyReconnects() throws Exception {
    int xdsPort = cp.xdsPort();
    cp.close();
    cp = null;
    for (int i = 0; i < 20; i++) {
      var r = get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("v1");
    }
    var o = ControlPlane.Options.defaults().withPorts(0, xdsPort);
    cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, xdsPort, o.registrationGrace(), Duration.ofMillis(20), true));
    apply(MESH.formatted(v1.port(), v2.port()) + "---\n" + route("""
        - route:
          - destination: {host: reviews, subset: v2}
        """));
    awaitResponse(r -> r.body().equals("v2")); // the client reconnected (backoff) and took the new control plane's config
  }
}
