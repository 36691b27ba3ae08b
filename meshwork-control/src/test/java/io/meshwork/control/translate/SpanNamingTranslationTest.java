package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Span names and kinds as Istio has them: the inbound route carries {@code decorator.operation}
 * {@code <service host>:<service port>/*} (so the server span is named after the service, not the
 * caller's Host header), and gateway listeners are OUTBOUND, so a gateway reports one CLIENT span
 * per request, as Istio's ingress gateway does.
 */
class SpanNamingTranslationTest {
  static MeshContext ctx;

  @BeforeAll
  static void load() throws Exception {
    var store = new ConfigStore();
    for (var f : new String[] {"platform/bookinfo.yaml", "networking/bookinfo-gateway.yaml"}) {
      assertThat(store.apply(ConfigStore.API, Fixtures.bookinfo(f)).errors()).as(f).isEmpty();
    }
    store.apply(ConfigStore.API, Fixtures.yaml(Mesh.workload("reviews-v1", "v1", "10.0.0.1")));
    ctx = MeshContext.of(store.snapshot(), true);
  }

  private static Route inboundRoute(ProxyResources r, int port) throws Exception {
    for (var chain : r.listeners().get(Names.VIRTUAL_INBOUND).getFilterChainsList()) {
      if (!chain.getName().equals(Names.inboundCluster(port))) {
        continue;
      }
      for (var f : chain.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          return f.getTypedConfig().unpack(HttpConnectionManager.class).getRouteConfig().getVirtualHosts(0).getRoutes(0);
        }
      }
    }
    throw new AssertionError("no HTTP chain for inbound port " + port);
  }

  @Test
  void theInboundRouteIsDecoratedWithTheServiceHostAndPort() throws Exception {
    var reviews = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews", "version", "v1"), "10.0.0.1",
        Map.of("http", 9080));
    var route = inboundRoute(Translator.translate(ctx, reviews), 9080);
    assertThat(route.getDecorator().getOperation()).isEqualTo("reviews.default.svc.cluster.local:9080/*");
  }

  @Test
  void aWorkloadNoServiceSelectsHasNoDecorator() throws Exception {
    var lone = NodeInfo.sidecar("lone-v1", "default", Map.of("app", "lone"), "10.0.0.7", Map.of("http", 8080));
    assertThat(inboundRoute(Translator.translate(ctx, lone), 8080).hasDecorator()).isFalse();
  }

  @Test
  void gatewayListenersAreOutboundSoTheirSpansAreClientSpans() throws Exception {
    var gateway = NodeInfo.sidecar("istio-ingressgateway", "istio-system", Map.of("istio", "ingressgateway"), "10.0.0.10",
        Map.of()).asGateway();
    var r = Translator.translate(ctx, gateway);
    assertThat(r.listeners().get("0.0.0.0_8080").getTrafficDirection()).isEqualTo(TrafficDirection.OUTBOUND);
  }
}
