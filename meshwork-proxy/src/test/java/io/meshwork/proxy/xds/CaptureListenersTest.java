package io.meshwork.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.xds.client.XdsSnapshot;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Capture mode's listener table, from Istio-shaped listeners (no kernel needed). */
class CaptureListenersTest {
  static final XdsConfigBuilder.Options CAPTURE = new XdsConfigBuilder.Options("n", null, false,
      Set.of(new InetSocketAddress("127.0.0.1", 16001)), null, InterceptionMode.REDIRECT);

  static FilterChain tcp(String cluster, Integer port) {
    var c = FilterChain.newBuilder().setName(cluster)
        .addFilters(Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
            .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build())));
    if (port != null) {
      c.setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(port)));
    }
    return c.build();
  }

  static Cluster cluster(String name, Cluster.DiscoveryType type) {
    return Cluster.newBuilder().setName(name).setType(type).build();
  }

  static XdsSnapshot snapshot(boolean withInbound) {
    var listeners = new HashMap<String, Listener>();
    var outbound = XdsConfigBuilderTest.rdsListener("0.0.0.0_9080", "0.0.0.0", 9080, "reviews:9080").toBuilder()
        .setBindToPort(BoolValue.of(false)).setTrafficDirection(TrafficDirection.OUTBOUND).build();
    listeners.put(outbound.getName(), outbound);
    listeners.put("198.19.0.10_6379", Listener.newBuilder().setName("198.19.0.10_6379")
        .setAddress(XdsConfigBuilderTest.addr("198.19.0.10", 6379)).setTrafficDirection(TrafficDirection.OUTBOUND)
        .addFilterChains(tcp("outbound|6379||redis.default.svc.cluster.local", null)).build());
    var bind = XdsConfigBuilderTest.rdsListener("127.0.0.1_16001", "127.0.0.1", 16001, "reviews:9080");
    listeners.put(bind.getName(), bind);
    listeners.put("virtualOutbound", Listener.newBuilder().setName("virtualOutbound").setAddress(XdsConfigBuilderTest.addr("0.0.0.0", 15001))
        .setUseOriginalDst(BoolValue.of(true)).setTrafficDirection(TrafficDirection.OUTBOUND)
        .addFilterChains(tcp("PassthroughCluster", null)).build());
    if (withInbound) {
      listeners.put("virtualInbound", Listener.newBuilder().setName("virtualInbound").setAddress(XdsConfigBuilderTest.addr("0.0.0.0", 15006))
          .setUseOriginalDst(BoolValue.of(true)).setTrafficDirection(TrafficDirection.INBOUND)
          .addFilterChains(tcp("inbound|9080||", 9080)).addFilterChains(tcp("inbound|6379||", 6379))
          .addFilterChains(tcp("PassthroughCluster", null)).build());
    }
    var clusters = new HashMap<String, Cluster>();
    clusters.put(XdsConfigBuilderTest.CLUSTER, XdsConfigBuilderTest.eds());
    for (var n : new String[] {"inbound|9080||", "inbound|6379||", "outbound|6379||redis.default.svc.cluster.local"}) {
      clusters.put(n, cluster(n, Cluster.DiscoveryType.STATIC));
    }
    clusters.put("PassthroughCluster", cluster("PassthroughCluster", Cluster.DiscoveryType.ORIGINAL_DST));
    return new XdsSnapshot(Map.copyOf(listeners), Map.of("reviews:9080", XdsConfigBuilderTest.routes()), clusters,
        Map.of(XdsConfigBuilderTest.CLUSTER, XdsConfigBuilderTest.cla()), Map.of());
  }

  @Test
  void onlyTheCaptureListenersAndUpstreamBindsAreBoundAndTheRestIsDispatched() throws Exception {
    var built = XdsConfigBuilder.build(snapshot(true), 1, CAPTURE);
    var table = built.config().capture();
    assertThat(table.enabled()).isTrue();
    assertThat(table.mode()).isEqualTo(InterceptionMode.REDIRECT);
    assertThat(table.outboundListener()).isEqualTo("virtualOutbound");
    assertThat(table.inboundListener()).isEqualTo("virtualInbound");
    assertThat(table.internal()).containsExactlyInAnyOrder("0.0.0.0_9080", "198.19.0.10_6379", "virtualInbound|9080",
        "virtualInbound|6379");
    assertThat(built.config().listeners()).extracting(ListenerConfig::name).contains("127.0.0.1_16001", "virtualOutbound",
        "virtualInbound", "virtualInbound|9080", "0.0.0.0_9080");
    // Outbound: exact address first, then 0.0.0.0:PORT; anything else is virtualOutbound's catch-all.
    assertThat(table.outboundFor(new InetSocketAddress("198.19.0.10", 6379))).contains("198.19.0.10_6379");
    assertThat(table.outboundFor(new InetSocketAddress("198.19.0.99", 9080))).contains("0.0.0.0_9080");
    assertThat(table.outboundFor(new InetSocketAddress("198.19.0.99", 6379))).isEmpty();
    // Inbound: virtualInbound's chains by destination port; the rest is the passthrough chain on 15006.
    assertThat(table.inboundFor(9080)).contains("virtualInbound|9080");
    assertThat(table.inboundFor(7777)).isEmpty();
    var byName = new HashMap<String, ListenerConfig>();
    built.config().listeners().forEach(l -> byName.put(l.name(), l));
    assertThat(((ListenerConfig.Tcp) byName.get("virtualInbound|9080").protocol()).tcp().cluster()).isEqualTo("inbound|9080||");
    assertThat(((ListenerConfig.Tcp) byName.get("virtualInbound").protocol()).tcp().cluster()).isEqualTo("PassthroughCluster");
    assertThat(byName.get("virtualInbound").address().getPort()).isEqualTo(15006);
    // PassthroughCluster connects to the original destination now: not reported as kept empty.
    assertThat(table.originalDstClusters()).containsExactly("PassthroughCluster");
    assertThat(built.emptyClusters()).isEmpty();
  }

  @Test
  void withoutCaptureTheUseOriginalDstListenersStayUnbound() throws Exception {
    var built = XdsConfigBuilder.build(snapshot(true), 1, new XdsConfigBuilder.Options("n", null, false, Set.of()));
    assertThat(built.config().capture().enabled()).isFalse();
    assertThat(built.unbound()).containsKeys("virtualOutbound", "virtualInbound", "0.0.0.0_9080");
  }

  @Test
  void captureModeNeedsVirtualInbound() {
    assertThatThrownBy(() -> XdsConfigBuilder.build(snapshot(false), 1, CAPTURE)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("virtualInbound");
  }
}
