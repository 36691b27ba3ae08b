package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Overload (issue 12): thousands of idle client connections plus a burst far above what the
 * cluster's circuit breakers admit. The proxy must shed the excess with 503 {@code UO} instead of
 * queueing without bound, keep its memory bounded (no OutOfMemoryError), keep serving the idle
 * connections, and serve normally as soon as the burst ends.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(120)
class OverloadIntegrationTest {
  /** Idle connections, held by a child process ({@link IdleClients}): this JVM holds only the proxy's side. */
  static final int IDLE = Integer.getInteger("meshwork.overload.idle", 10_000);
  static final int BURST = 1000;
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, """
        - name: backend
          connect_timeout: 1s
          type: STATIC
          circuit_breakers: {thresholds: [{max_requests: 32, max_connections: 32}]}
          load_assignment:
            cluster_name: backend
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}}]}]
        """), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
    var rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** One request on its own connection: the status, or -1 when the connection failed. */
  static int call(int port, String path) {
    try (var s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      var all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return all.startsWith("HTTP/1.1 ") ? Integer.parseInt(all.substring(9, 12)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void idleConnectionsAndABurstFarAboveCapacityAreShedWith503UoAndTheProxyRecovers() throws Exception {
    int port = proxy.port("http");
    long heapBefore = usedHeapAfterGc();
    long cxBefore = proxy.stat("http.ingress.downstream_cx_total");
    var classes = java.nio.file.Path.of(IdleClients.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    var child = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", classes.toString(), IdleClients.class.getName(), Integer.toString(port), Integer.toString(IDLE))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var childOut = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
    var childIn = new java.io.PrintStream(child.getOutputStream(), true, StandardCharsets.US_ASCII);
    try {
      assertThat(childOut.readLine()).as("the child opened every idle connection").isEqualTo("open " + IDLE);
      ProxyHarness.await(() -> proxy.stat("http.ingress.downstream_cx_total") - cxBefore >= IDLE);
      assertThat(proxy.stat("http.ingress.downstream_cx_total") - cxBefore).as("every idle connection was accepted").isGreaterThanOrEqualTo(IDLE);
      long heapIdle = usedHeapAfterGc();

      a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(100)));
      var codes = new ConcurrentLinkedQueue<Integer>();
      var threads = new ArrayList<Thread>();
      for (int i = 0; i < BURST; i++) {
        threads.add(Thread.ofVirtual().start(() -> codes.add(call(port, "/burst"))));
      }
      for (var t : threads) {
        t.join();
      }
      long ok = codes.stream().filter(c -> c == 200).count();
      long shed = codes.stream().filter(c -> c == 503).count();
      long overflow = proxy.stat("cluster.backend.upstream_rq_pending_overflow") + proxy.stat("cluster.backend.upstream_cx_overflow");
      long heapAfterBurst = usedHeapAfterGc();
      System.err.printf("reliability: overload: %d idle connections, heap %d MB -> %d MB (idle) -> %d MB (after burst); burst of %d: %d ok, %d shed (503 UO), overflow counters %d%n",
          IDLE, heapBefore >> 20, heapIdle >> 20, heapAfterBurst >> 20, BURST, ok, shed, overflow);
      assertThat(codes).as("every burst request got an answer: served or shed").containsOnly(200, 503);
      assertThat(ok).isPositive();
      assertThat(shed).as("the burst is far above max_requests 32").isPositive();
      assertThat(overflow).as("503s are circuit-breaker overflows (UO)").isGreaterThanOrEqualTo(shed);
      // Bounded: a generous ceiling per idle connection (Envoy needs a few KB); a leak per request or an unbounded queue would exceed it.
      assertThat(heapIdle - heapBefore).as("heap growth for %d idle connections", IDLE).isLessThan(IDLE * 64L * 1024);
      assertThat(heapAfterBurst - heapIdle).as("heap retained after the burst").isLessThan(64L << 20);

      a.respondWith(Reply.ok("a"));
      for (int i = 0; i < 50; i++) {
        assertThat(call(port, "/after")).as("served normally after the burst").isEqualTo(200);
      }
      // The idle connections were kept, and one of them still serves a request.
      childIn.println("probe " + IDLE / 2);
      assertThat(childOut.readLine()).startsWith("HTTP/1.1 200");
    } finally {
      childIn.close(); // end of input: the child closes its connections and exits
      if (!child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
    }
  }
}
