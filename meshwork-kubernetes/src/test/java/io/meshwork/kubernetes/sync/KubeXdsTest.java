package io.meshwork.kubernetes.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.meshwork.control.ControlPlane;
import io.meshwork.kubernetes.KubeTestSupport;
import io.meshwork.kubernetes.install.Crds;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import io.meshwork.xds.client.XdsSnapshot;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * End to end over ADS: bookinfo in the (mock) cluster, a real control plane whose store the
 * informers fill, and an xDS client connected as the productpage pod's sidecar. The proxy receives
 * the pods' addresses and the cluster's routing; deleting a pod takes its endpoint out of what the
 * proxy is sent.
 */
class KubeXdsTest {
  static final String V3 = "outbound|9080|v3|reviews.default.svc.cluster.local";

  static XdsSnapshot next(LinkedBlockingQueue<XdsSnapshot> q, Predicate<XdsSnapshot> p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      var s = q.poll(1, TimeUnit.SECONDS);
      if (s != null && p.test(s)) {
        return s;
      }
    }
    throw new AssertionError("no matching xDS snapshot arrived");
  }

  static int endpoints(XdsSnapshot s, String cluster) {
    var cla = s.endpoints().get(cluster);
    return cla == null ? -1 : cla.getEndpointsList().stream().mapToInt(e -> e.getLbEndpointsCount()).sum();
  }

  @Test
  void podsReachTheProxyAndADeletedPodLeavesIt() throws Exception {
    var server = KubeTestSupport.crudServer();
    try (var client = server.createClient();
        var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofSeconds(1)))) {
      for (var crd : Crds.render()) {
        client.resource(crd).create();
      }
      int ip = 1;
      for (var o : KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("platform/bookinfo.yaml"), "default")) {
        if (o instanceof Deployment d) {
          KubeTestSupport.runPod(client, d, d.getMetadata().getName() + "-abc", "10.3.0." + ip++);
        }
      }
      KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("networking/destination-rule-all.yaml"), "default");
      KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("networking/virtual-service-reviews-v3.yaml"), "default");
      try (var sync = new KubeConfigSync(client, cp.store()).start(Duration.ofSeconds(20))) {
        var productpageIp = client.pods().inNamespace("default").withName("productpage-v1-abc").get().getStatus().getPodIP();
        var v3Ip = client.pods().inNamespace("default").withName("reviews-v3-abc").get().getStatus().getPodIP();
        var node = NodeInfo.sidecar("productpage-v1-abc", "default", Map.of("app", "productpage", "version", "v1"), productpageIp,
            Map.of("http", 9080));
        var q = new LinkedBlockingQueue<XdsSnapshot>();
        try (var xds = XdsClient.start("127.0.0.1:" + cp.xdsPort(), node, s -> {
          q.add(s);
          return XdsHandler.Verdict.ACCEPT;
        })) {
          var s = next(q, x -> endpoints(x, V3) == 1);
          assertThat(s.endpoints().get(V3).getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress())
              .isEqualTo(v3Ip);
          var reviews = s.routes().get("9080").getVirtualHostsList().stream()
              .filter(v -> v.getName().startsWith("reviews.")).findFirst().orElseThrow();
          assertThat(reviews.getRoutes(0).getRoute().getCluster()).isEqualTo(V3);
          // The sidecar's own pod is a Kubernetes workload, not an auto-registered WorkloadEntry.
          assertThat(cp.store().snapshot().resources().keySet()).noneMatch(k -> k.kind().equals("WorkloadEntry"));

          client.pods().inNamespace("default").withName("reviews-v3-abc").delete();
          next(q, x -> endpoints(x, V3) == 0);
        }
      }
    } finally {
      server.destroy();
    }
  }
}
