package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.meshwork.control.Fixtures;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A sidecar whose pod captures traffic ({@code INTERCEPTION_MODE} node metadata, no inbound
 * ports): virtualInbound follows PeerAuthentication per app port, as Istio's does, and the app is
 * reached on 127.0.0.1.
 */
class CapturedNodeTranslationTest {
  static final NodeInfo CAPTURED = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "198.18.0.3",
      Map.of("http", 9080)).withServiceAccount("reviews").withMetadata(NodeInfo.INTERCEPTION_MODE, "REDIRECT");

  static java.util.List<String> chains(ProxyResources r) {
    return r.listeners().get("virtualInbound").getFilterChainsList().stream()
        .map(c -> c.getFilterChainMatch().getDestinationPort().getValue() + "/" + c.getFilterChainMatch().getTransportProtocol())
        .toList();
  }

  @Test
  void capturedNodesTerminateMtlsOnVirtualInbound() {
    assertThat(CAPTURED.isCaptured()).isTrue();
    var permissive = MeshTlsTranslationTest.translate(CAPTURED, Fixtures.REVIEWS_SVC);
    assertThat(chains(permissive)).containsExactly("9080/tls", "9080/raw_buffer", "0/");
    var strict = MeshTlsTranslationTest.translate(CAPTURED, Fixtures.REVIEWS_SVC,
        MeshTlsTranslationTest.pa("istio-system", "default", null, "STRICT", null));
    assertThat(chains(strict)).containsExactly("9080/tls", "0/");
    FilterChain tls = strict.listeners().get("virtualInbound").getFilterChains(0);
    assertThat(tls.hasTransportSocket()).isTrue();
    var app = strict.clusters().get("inbound|9080||").getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint()
        .getAddress().getSocketAddress();
    assertThat(app.getAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void withoutCaptureOrInboundPortsVirtualInboundStaysPlaintext() {
    var plain = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "198.18.0.3", Map.of("http", 9080));
    assertThat(plain.isCaptured()).isFalse();
    assertThat(plain.withMetadata(NodeInfo.INTERCEPTION_MODE, "NONE").isCaptured()).isFalse();
    assertThat(chains(MeshTlsTranslationTest.translate(plain, Fixtures.REVIEWS_SVC))).containsExactly("9080/", "0/");
  }
}
