package io.meshwork.control.bench;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ScaleBenchmark SERVICES PROXIES [CHANGES]}: a control plane with SERVICES services of two
 * endpoints each, and PROXIES in-process xDS clients (each a sidecar of one service). Prints the
 * time to first full sync, p50/p99 time for a VirtualService change to reach every proxy, heap and
 * CPU time. A benchmark, not a test: it asserts nothing.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  /** Arguments: SERVICES PROXIES [CHANGES] [--full-clients] (default 1000 1000 10; simulated proxies unless --full-clients). */
  public static void main(String[] args) throws Exception {
    var positional = java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
    boolean full = java.util.Arrays.asList(args).contains("--full-clients");
    int services = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 1000;
    int proxies = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 1000;
    int changes = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 10;
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("load average at start: %.2f (%d cores)%n", os.getSystemLoadAverage(), os.getAvailableProcessors());
    try (var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0))) {
      var sb = new StringBuilder();
      for (int i = 0; i < services; i++) {
        sb.append(service(i));
      }
      var r = cp.store().apply(ConfigStore.API, io.meshwork.config.codec.ConfigLoader.create().loadText("bench", sb.toString()));
      if (!r.ok()) {
        throw new IllegalStateException(r.errors().getFirst());
      }
      cp.xds().push();
      System.out.printf("config: %d services x 2 endpoints (%d resources); %d %s%n", services, cp.store().snapshot().resources().size(),
          proxies, full ? "full xDS clients (io.meshwork.xds.client.XdsClient)" : "simulated proxies (SimulatedProxy: ADS SotW, ACK, RDS received and scanned, the watched virtual host decoded)");

      var weights = new ConcurrentHashMap<Integer, Integer>();
      var change = new java.util.concurrent.atomic.AtomicReference<Change>();
      var synced = new CountDownLatch(proxies);
      var clients = new ArrayList<AutoCloseable>();
      long start = System.nanoTime();
      for (int p = 0; p < proxies; p++) {
        int id = p;
        var node = new NodeInfo("sidecar~10.9." + (p / 250) + "." + (p % 250) + "~bench-" + p + ".default~default.svc.cluster.local",
            "sidecar", "default", "", Map.of("app", "svc" + (p % services)), "default", List.of(), Map.of("http", 8080), Map.of(), "");
        java.util.function.Consumer<io.envoyproxy.envoy.config.route.v3.RouteConfiguration> seen = rc -> {
          if (!rc.getName().equals("8080")) {
            return;
          }
          int w = weightOfV2(rc);
          var old = weights.put(id, w);
          if (old == null) {
            synced.countDown();
          }
          var ch = change.get();
          if (ch != null && w == ch.target() && (old == null || old != w)) {
            ch.arrived(); // this proxy has just received the change
          }
        };
        if (full) {
          clients.add(XdsClient.start("127.0.0.1:" + cp.xdsPort(), node, s -> {
            var rc = s.routes().get("8080");
            if (rc != null) {
              seen.accept(rc);
            }
            return XdsHandler.Verdict.ACCEPT;
          }));
        } else {
          clients.add(new SimulatedProxy("127.0.0.1:" + cp.xdsPort(), node, "svc0.", seen));
        }
      }
      if (!synced.await(10, TimeUnit.MINUTES)) {
        System.out.println("not every proxy synced within 10 minutes");
      }
      System.out.printf("first full sync of %d proxies: %d ms%n", proxies, (System.nanoTime() - start) / 1_000_000);

      System.out.printf("changes start at %d (epoch ms, to cut a profile)%n", System.currentTimeMillis());
      var latencies = new long[changes];
      long cpu0 = os.getProcessCpuTime();
      long push0 = cp.xds().metrics().pushTimeNanos();
      long pushes0 = cp.xds().metrics().pushes();
      for (int c = 0; c < changes; c++) {
        int target = 10 + c;
        var ch = new Change(target, proxies);
        change.set(ch);
        var docs = io.meshwork.config.codec.ConfigLoader.create().loadText("bench", vs(target));
        cp.store().apply(ConfigStore.API, docs);
        long t0 = System.nanoTime(); // the write is acknowledged: the store has applied it
        if (!ch.done.await(5, TimeUnit.MINUTES)) {
          throw new IllegalStateException("change " + c + " did not reach every proxy within 5 minutes");
        }
        latencies[c] = ch.lastArrival.get() - t0;
      }
      long cpu = os.getProcessCpuTime() - cpu0;
      long pushNanos = cp.xds().metrics().pushTimeNanos() - push0;
      long pushes = cp.xds().metrics().pushes() - pushes0;
      Arrays.sort(latencies);
      System.out.printf("VirtualService change reaching all %d proxies (from the write's acknowledgement to the last proxy receiving it): p50 %d ms, p99 %d ms (%d changes; includes the 100 ms debounce)%n", proxies,
          latencies[changes / 2] / 1_000_000, latencies[Math.min(changes - 1, (int) Math.ceil(changes * 0.99) - 1)] / 1_000_000, changes);
      System.out.printf("per change: push (translate %d proxies + send) %d ms wall, process CPU %d ms (control plane and clients)%n",
          proxies, pushes == 0 ? 0 : pushNanos / pushes / 1_000_000, cpu / changes / 1_000_000);
      System.gc();
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
      System.out.printf("heap after GC: %d MB (%s); process CPU time: %d ms; pushes: %d%n", heap,
          full ? "full clients included" : "simulated proxies hold no config", os.getProcessCpuTime() / 1_000_000, cp.xds().metrics().pushes());
      System.out.printf("load average at end: %.2f%n", os.getSystemLoadAverage());
      for (var c : clients) {
        c.close();
      }
    }
  }

  /** One change in flight: the weight it sets, and when the last of the proxies received it. */
  private record Change(int target, CountDownLatch done, java.util.concurrent.atomic.AtomicLong lastArrival) {
    Change(int target, int proxies) {
      this(target, new CountDownLatch(proxies), new java.util.concurrent.atomic.AtomicLong());
    }

    void arrived() {
      long now = System.nanoTime();
      lastArrival.accumulateAndGet(now, Math::max);
      done.countDown();
    }
  }

  private static int weightOfV2(io.envoyproxy.envoy.config.route.v3.RouteConfiguration rc) {
    for (var vh : rc.getVirtualHostsList()) {
      if (vh.getName().startsWith("svc0.")) {
        for (var c : vh.getRoutes(0).getRoute().getWeightedClusters().getClustersList()) {
          if (c.getName().contains("|v2|")) {
            return c.getWeight().getValue();
          }
        }
        return 0;
      }
    }
    return -1;
  }

  private static String service(int i) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: svc%1$d}
        spec:
          selector: {app: svc%1$d}
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: svc%1$d-a}
        spec: {address: 10.%2$d.%3$d.1, labels: {app: svc%1$d, version: v1}, ports: {http: 8080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: svc%1$d-b}
        spec: {address: 10.%2$d.%3$d.2, labels: {app: svc%1$d, version: v2}, ports: {http: 8080}}
        ---
        """.formatted(i, 1 + i / 250, i % 250) + (i == 0 ? vs(0) + "---\n" + """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: svc0}
        spec:
          host: svc0
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        """ : "");
  }

  private static String vs(int v2) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: svc0}
        spec:
          hosts: [svc0]
          http:
          - route:
            - destination: {host: svc0, subset: v1}
              weight: %d
            - destination: {host: svc0, subset: v2}
              weight: %d
        """.formatted(100 - v2, v2);
  }
}
