package io.meshwork.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.ControlPlaneExtension;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.ProxyResources;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Delta ADS on a raw stream: wildcard clusters, then only what changed, then removals. */
class DeltaAdsTest {
  @RegisterExtension final ControlPlaneExtension cp = new ControlPlaneExtension();

  @Test
  void deltaSendsOnlyChangedAndRemovedResources() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all()));
    cp.get().xds().push();
    var channel = NettyChannelBuilder.forTarget(cp.xdsTarget()).usePlaintext().build();
    var responses = new LinkedBlockingQueue<DeltaDiscoveryResponse>();
    try {
      var requests = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(new StreamObserver<>() {
        @Override
        public void onNext(DeltaDiscoveryResponse r) {
          responses.add(r);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      });
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(XdsServerTest.PRODUCTPAGE.toNode()).setTypeUrl(ProxyResources.CLUSTER).build());
      var first = responses.poll(20, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      var names = first.getResourcesList().stream().map(io.envoyproxy.envoy.service.discovery.v3.Resource::getName).toList();
      assertThat(names).contains("outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v3|reviews.default.svc.cluster.local");
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(ProxyResources.CLUSTER).setResponseNonce(first.getNonce()).build());

      // Add an outlier detection policy to subset v3 only: exactly that cluster changes.
      var dr = Mesh.REVIEWS_DR.replace("""
            - name: v3
              labels: {version: v3}
          """, """
            - name: v3
              labels: {version: v3}
              trafficPolicy:
                outlierDetection: {consecutive5xxErrors: 3}
          """);
      assertThat(dr).isNotEqualTo(Mesh.REVIEWS_DR);
      cp.get().store().apply(ConfigStore.API, Fixtures.yaml(dr));
      var second = responses.poll(20, TimeUnit.SECONDS);
      assertThat(second).isNotNull();
      assertThat(second.getResourcesList()).extracting(io.envoyproxy.envoy.service.discovery.v3.Resource::getName)
          .containsExactly("outbound|9080|v3|reviews.default.svc.cluster.local");
      assertThat(second.getRemovedResourcesList()).isEmpty();
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setTypeUrl(ProxyResources.CLUSTER).setResponseNonce(second.getNonce()).build());

      cp.get().store().delete(List.of(new ResourceKey("networking.istio.io", "DestinationRule", "default", "reviews")));
      var third = responses.poll(20, TimeUnit.SECONDS);
      assertThat(third).isNotNull();
      assertThat(third.getRemovedResourcesList()).containsExactlyInAnyOrder("outbound|9080|v1|reviews.default.svc.cluster.local",
          "outbound|9080|v2|reviews.default.svc.cluster.local", "outbound|9080|v3|reviews.default.svc.cluster.local");
      requests.onCompleted();
    } finally {
      channel.shutdownNow();
    }
  }
}
