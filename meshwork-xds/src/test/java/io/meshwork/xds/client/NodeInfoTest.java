package io.meshwork.xds.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node metadata survives the trip through the protobuf {@code Node}, including pass-through keys. */
class NodeInfoTest {
  @Test
  void extraMetadataRoundTripsAndModeledKeysAreNotDuplicated() {
    var node = NodeInfo.sidecar("vote-v1", "default", Map.of("app", "vote"), "10.0.0.5", Map.of("http", 8080))
        .withMetadata(NodeInfo.PROMETHEUS_ADDRESS, "10.0.0.5:15090")
        .withMetadata(NodeInfo.ADMIN_ADDRESS, "127.0.0.1:15000");
    var proto = node.toNode();
    assertThat(proto.getMetadata().getFieldsMap().get(NodeInfo.PROMETHEUS_ADDRESS).getStringValue()).isEqualTo("10.0.0.5:15090");
    var back = NodeInfo.fromNode(proto);
    assertThat(back.extraMetadata()).containsEntry(NodeInfo.PROMETHEUS_ADDRESS, "10.0.0.5:15090")
        .containsEntry(NodeInfo.ADMIN_ADDRESS, "127.0.0.1:15000")
        .doesNotContainKeys(NodeInfo.NAMESPACE, NodeInfo.WORKLOAD_NAME, NodeInfo.PROXY_TYPE);
    assertThat(back.labels()).containsEntry("app", "vote");
    assertThat(back.asGateway().extraMetadata()).isEqualTo(back.extraMetadata());
  }

  @Test
  void theTenFieldConstructorHasNoExtraMetadata() {
    var n = new NodeInfo("id", "sidecar", "ns", "wl", Map.of(), "sa", java.util.List.of(), Map.of(), Map.of(), "");
    assertThat(n.extraMetadata()).isEmpty();
  }
}
