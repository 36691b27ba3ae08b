package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's filter chain matching: criteria in order, the most specific match wins at each step. */
class FilterChainSelectorTest {
  private final List<FilterChainSelector.Entry> entries = new ArrayList<>();

  private void chain(String name, FilterChainMatch.Builder match) throws ConfigException {
    entries.add(new FilterChainSelector.Entry(FilterChainMatchSpec.of(match.build(), name),
        new ListenerConfig(name, null, null, null)));
  }

  private static ConnectionFacts tls(String ip, int port, String sni, String... alpn) {
    return new ConnectionFacts(new InetSocketAddress(ip, port), sni, "tls", List.of(alpn));
  }

  private static String picked(FilterChainSelector s, ConnectionFacts facts) {
    var c = s.select(facts);
    return c == null ? null : c.name();
  }

  @Test
  void serverNamesPreferExactThenTheLongestWildcardThenChainsWithoutNames() throws Exception {
    chain("exact", FilterChainMatch.newBuilder().addServerNames("api.example.com"));
    chain("deep", FilterChainMatch.newBuilder().addServerNames("*.eu.example.com"));
    chain("wild", FilterChainMatch.newBuilder().addServerNames("*.example.com"));
    chain("any", FilterChainMatch.newBuilder());
    var s = new FilterChainSelector(entries, null);
    assertThat(s.inspectsTls()).isTrue();
    assertThat(picked(s, tls("10.0.0.1", 443, "api.example.com"))).isEqualTo("exact");
    assertThat(picked(s, tls("10.0.0.1", 443, "x.eu.example.com"))).isEqualTo("deep");
    assertThat(picked(s, tls("10.0.0.1", 443, "www.example.com"))).isEqualTo("wild");
    assertThat(picked(s, tls("10.0.0.1", 443, "example.com"))).as("*.example.com needs a label before the suffix").isEqualTo("any");
    assertThat(picked(s, tls("10.0.0.1", 443, null))).isEqualTo("any");
  }

  @Test
  void destinationPortComesFirstThenTheLongestPrefixThenTheRest() throws Exception {
    chain("port-only", FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(8443)));
    chain("port-and-ip", FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(8443))
        .addPrefixRanges(CidrRange.newBuilder().setAddressPrefix("10.1.0.0").setPrefixLen(UInt32Value.of(16))));
    chain("port-narrow-ip", FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(8443))
        .addPrefixRanges(CidrRange.newBuilder().setAddressPrefix("10.1.2.0").setPrefixLen(UInt32Value.of(24))));
    // a server name would be more specific, but the port criterion has already dropped this chain
    chain("named", FilterChainMatch.newBuilder().addServerNames("a.example.com"));
    var s = new FilterChainSelector(entries, new ListenerConfig("default", null, null, null));
    assertThat(picked(s, tls("10.1.2.3", 8443, "a.example.com"))).isEqualTo("port-narrow-ip");
    assertThat(picked(s, tls("10.1.9.9", 8443, "a.example.com"))).isEqualTo("port-and-ip");
    assertThat(picked(s, tls("10.9.9.9", 8443, "a.example.com"))).isEqualTo("port-only");
    assertThat(picked(s, tls("10.9.9.9", 443, "a.example.com"))).isEqualTo("named");
    assertThat(picked(s, tls("10.9.9.9", 443, "b.example.com"))).as("nothing left: the default chain").isEqualTo("default");
  }

  @Test
  void transportAndApplicationProtocolsNarrowLast() throws Exception {
    chain("tls-h2", FilterChainMatch.newBuilder().setTransportProtocol("tls").addApplicationProtocols("h2"));
    chain("tls", FilterChainMatch.newBuilder().setTransportProtocol("tls"));
    chain("raw", FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer"));
    var s = new FilterChainSelector(entries, null);
    assertThat(picked(s, tls("10.0.0.1", 80, null, "h2", "http/1.1"))).isEqualTo("tls-h2");
    assertThat(picked(s, tls("10.0.0.1", 80, null, "http/1.1"))).isEqualTo("tls");
    assertThat(picked(s, new ConnectionFacts(new InetSocketAddress("10.0.0.1", 80), null, "raw_buffer", List.of()))).isEqualTo("raw");
  }

  @Test
  void listenersWithoutInspectedCriteriaChooseAtAccept() throws Exception {
    chain("9080", FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(9080)));
    chain("9443", FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(9443)));
    var s = new FilterChainSelector(entries, null);
    assertThat(s.inspectsTls()).isFalse();
    assertThat(picked(s, ConnectionFacts.of(new InetSocketAddress("127.0.0.1", 9443)))).isEqualTo("9443");
    assertThat(picked(s, ConnectionFacts.of(new InetSocketAddress("127.0.0.1", 1)))).isNull();
  }

  @Test
  void sourceCriteriaAndBadServerNamesAreRefusedWithTheirPath() {
    assertThatThrownBy(() -> FilterChainMatchSpec.of(FilterChainMatch.newBuilder().addSourcePorts(1).build(), "listeners[x].filter_chains[1].filter_chain_match"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("listeners[x].filter_chains[1].filter_chain_match")
        .hasMessageContaining("source");
    assertThatThrownBy(() -> FilterChainMatchSpec.of(FilterChainMatch.newBuilder().addServerNames("a.*.com").build(), "m"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("m.server_names[0]");
  }

  @Test
  void twoChainsWithTheSameMatchAreRefusedAndDistinctOnesBecomeOneListenerPerChain() throws Exception {
    var tcp = io.envoyproxy.envoy.config.listener.v3.Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
        .setTypedConfig(com.google.protobuf.Any.pack(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.newBuilder()
            .setStatPrefix("t").setCluster("c").build()));
    var l = io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder().setName("0.0.0.0_443")
        .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder().setSocketAddress(
            io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(0)))
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("a.example.com")).addFilters(tcp))
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.newBuilder()
            .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("b.example.com")).addFilters(tcp));
    var built = ProxyConfigBuilder.listener(l.build(), "listeners[0.0.0.0_443]", java.util.Set.of("c"));
    assertThat(built.chains()).isNotNull();
    assertThat(built.withChains()).extracting(ListenerConfig::name).containsExactly("0.0.0.0_443", "0.0.0.0_443#0", "0.0.0.0_443#1");
    assertThat(picked(built.chains(), tls("127.0.0.1", 443, "b.example.com"))).isEqualTo("0.0.0.0_443#1");
    l.addFilterChains(l.getFilterChains(0));
    assertThatThrownBy(() -> ProxyConfigBuilder.listener(l.build(), "listeners[0.0.0.0_443]", java.util.Set.of("c")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("listeners[0.0.0.0_443].filter_chains[2].filter_chain_match: matches the same connections as filter_chains[0]");
  }
}
