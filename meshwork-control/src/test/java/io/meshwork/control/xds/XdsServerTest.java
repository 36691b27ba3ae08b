package io.meshwork.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.ResourceKey;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ControlPlaneExtension;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import io.meshwork.xds.client.XdsSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class XdsServerTest {
  @RegisterExtension final ControlPlaneExtension cp = new ControlPlaneExtension();
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"),
      "10.0.0.9", Map.of("http", 9080));
  static final String V2 = "outbound|9080|v2|reviews.default.svc.cluster.local";

  static XdsSnapshot next(LinkedBlockingQueue<XdsSnapshot> q, Predicate<XdsSnapshot> p) throws InterruptedException {
    while (true) {
      var s = q.poll(20, TimeUnit.SECONDS);
      assertThat(s).as("a snapshot arrives").isNotNull();
      if (p.test(s)) {
        return s;
      }
    }
  }

  static void await(BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!cond.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met in time").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  static int weightOf(XdsSnapshot s, String cluster) {
    var route = s.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith("reviews.")).findFirst().orElseThrow()
        .getRoutes(0).getRoute();
    return route.getWeightedClusters().getClustersList().stream().filter(c -> c.getName().equals(cluster)).findFirst()
        .map(c -> c.getWeight().getValue()).orElse(route.getCluster().equals(cluster) ? 100 : 0);
  }

  @Test
  void deliversWarmedSnapshotsAndFollowsChanges() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all()));
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    try (var client = XdsClient.start(cp.xdsTarget(), PRODUCTPAGE, s -> {
      q.add(s);
      return XdsHandler.Verdict.ACCEPT;
    })) {
      var s = next(q, x -> x.clusters().containsKey(V2));
      assertThat(s.endpoints().get(V2).getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress())
          .isEqualTo("10.0.0.2");
      assertThat(s.listeners()).containsKeys("0.0.0.0_9080", "virtualOutbound", "virtualInbound");
      assertThat(weightOf(s, V2)).isEqualTo(20);

      cp.get().store().apply(ConfigStore.API, Fixtures.yaml(Mesh.split(50, 50)));
      var changed = next(q, x -> weightOf(x, V2) == 50);
      assertThat(changed.clusters()).containsKey(V2);
      await(() -> cp.get().xds().proxies().getFirst().types().values().stream().allMatch(t -> t.status().equals("SYNCED")));
      assertThat(cp.get().xds().metrics().connectedProxies()).isEqualTo(1);
    }
    await(() -> cp.get().xds().metrics().connectedProxies() == 0);
  }

  @Test
  void aProxyConnectingRightAfterAnApplyStartsFromThatApply() throws Exception {
    // A debounce far longer than the test: the first snapshot can only hold the apply if the
    // server translates the store's current revision for a new connection (read-your-writes).
    var o = ControlPlane.Options.defaults().withPorts(0, 0);
    try (var slow = ControlPlane.start(new ControlPlane.Options(o.configDir(), "127.0.0.1", 0, 0, o.registrationGrace(),
        Duration.ofSeconds(60), true))) {
      assertThat(slow.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all())).errors()).isEmpty();
      var q = new LinkedBlockingQueue<XdsSnapshot>();
      try (var client = XdsClient.start("127.0.0.1:" + slow.xdsPort(), PRODUCTPAGE, s -> {
        q.add(s);
        return XdsHandler.Verdict.ACCEPT;
      })) {
        var first = q.poll(20, TimeUnit.SECONDS);
        assertThat(first).as("a first snapshot").isNotNull();
        assertThat(first.clusters()).containsKey(V2);
        assertThat(weightOf(first, V2)).isEqualTo(20);
      }
    }
  }

  @Test
  void aRejectedSnapshotIsNackedWithTheReasonAndTheLastGoodStays() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all()));
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    try (var client = XdsClient.start(cp.xdsTarget(), PRODUCTPAGE, s -> {
      q.add(s);
      return weightOf(s, V2) == 20 ? XdsHandler.Verdict.ACCEPT : XdsHandler.Verdict.reject("weights other than 80/20 are not allowed here");
    })) {
      next(q, x -> x.clusters().containsKey(V2));
      cp.get().store().apply(ConfigStore.API, Fixtures.yaml(Mesh.split(10, 90)));
      next(q, x -> weightOf(x, V2) == 90);
      await(() -> cp.get().xds().proxies().getFirst().types().get("RDS").status().equals("NACKED"));
      assertThat(cp.get().xds().proxies().getFirst().types().get("RDS").lastNack()).contains("weights other than 80/20");
      assertThat(cp.get().xds().metrics().nacks()).isGreaterThanOrEqualTo(1);
      assertThat(weightOf(client.current(), V2)).isEqualTo(20);
    }
  }

  @Test
  void aConnectingProxyRegistersItsWorkloadUntilTheGracePeriodAfterItLeaves() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(String.join("---\n", Fixtures.REVIEWS_SVC, Mesh.REVIEWS_DR)));
    var reviews = NodeInfo.sidecar("reviews-v3", "default", Map.of("app", "reviews", "version", "v3"), "10.1.2.3", Map.of("http", 9080));
    var key = new ResourceKey("networking.istio.io", "WorkloadEntry", "default", "reviews-v3-10-1-2-3");
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    try (var pp = XdsClient.start(cp.xdsTarget(), PRODUCTPAGE, s -> {
      q.add(s);
      return XdsHandler.Verdict.ACCEPT;
    })) {
      try (var r = XdsClient.start(cp.xdsTarget(), reviews, s -> XdsHandler.Verdict.ACCEPT)) {
        await(() -> cp.get().store().snapshot().get(key) != null);
        var s = next(q, x -> x.endpoints().containsKey("outbound|9080|v3|reviews.default.svc.cluster.local")
            && x.endpoints().get("outbound|9080|v3|reviews.default.svc.cluster.local").getEndpointsCount() > 0);
        assertThat(s.endpoints().get("outbound|9080|v3|reviews.default.svc.cluster.local").getEndpoints(0).getLbEndpoints(0)
            .getEndpoint().getAddress().getSocketAddress().getAddress()).isEqualTo("10.1.2.3");
      }
      await(() -> cp.get().store().snapshot().get(key) == null);
      next(q, x -> x.endpoints().get("outbound|9080|v3|reviews.default.svc.cluster.local").getEndpointsCount() == 0);
    }
  }

  @Test
  void theClientKeepsItsConfigWhileTheServerIsDownAndReconnects() throws Exception {
    int port;
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    var options = ControlPlane.Options.defaults().withPorts(0, 0);
    var first = ControlPlane.start(options);
    port = first.xdsPort();
    first.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all()));
    first.xds().push();
    var client = XdsClient.start("127.0.0.1:" + port, PRODUCTPAGE, s -> {
      q.add(s);
      return XdsHandler.Verdict.ACCEPT;
    }, Duration.ofMillis(50), Duration.ofMillis(400));
    try (client) {
      next(q, x -> x.clusters().containsKey(V2));
      first.close();
      await(() -> !client.connected());
      assertThat(client.current().clusters()).containsKey(V2);
      try (var second = ControlPlane.start(options.withPorts(0, port))) {
        second.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all().replace("weight: 20", "weight: 21").replace("weight: 80", "weight: 79")));
        second.xds().push();
        var s = next(q, x -> weightOf(x, V2) == 21);
        assertThat(s.clusters()).containsKey(V2);
      }
    }
  }
}
