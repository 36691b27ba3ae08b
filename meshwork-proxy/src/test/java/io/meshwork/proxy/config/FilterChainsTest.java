package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Listeners with several filter chains: translation, refusals with their path, Envoy's selection order. */
class FilterChainsTest {
  static final String HCM = """
            - name: hcm
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: in
                route_config: {virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: c}}]}]}
                http_filters:
                - {name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}
      """;
  static final String TCP = """
            - name: tcp
              typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: t, cluster: c}
      """;

  static String listener(String extra, String chains) {
    return """
        static_resources:
          listeners:
          - name: l
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
        %s
            filter_chains:
        %s
          clusters:
          - name: c
            load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}
        """.formatted(extra, chains);
  }

  static final String SNIFFING = listener("""
          listener_filters:
          - name: envoy.filters.listener.http_inspector
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector}
          - name: envoy.filters.listener.original_dst
      """, """
          - filter_chain_match: {application_protocols: [http/1.1, h2c]}
            filters:
      """ + HCM + """
          - filters:
      """ + TCP);

  /** The chain for a connection whose inspectors found {@code transport} and {@code protocols}. */
  static ListenerConfig select(FilterChainSelector s, String transport, List<String> protocols) {
    return s.select(new ConnectionFacts(null, null, transport, protocols));
  }

  @Test
  void httpAndTcpChainsBecomeOneListenerWithTwoNamedChains() throws Exception {
    var l = ProxyConfigBuilderTest.build(SNIFFING).listeners().getFirst();
    var chains = l.chains();
    assertThat(chains.entries()).extracting(c -> c.chain().name()).containsExactly("l#0", "l#1");
    assertThat(chains.entries().get(0).chain().protocol()).isInstanceOf(ListenerConfig.Http.class);
    assertThat(chains.entries().get(1).chain().protocol()).isInstanceOf(ListenerConfig.Tcp.class);
    assertThat(chains.filters()).isEqualTo(new ListenerFilters(false, true, Duration.ofSeconds(15), false));
    assertThat(select(chains, "raw_buffer", List.of("http/1.1")).name()).isEqualTo("l#0");
    assertThat(select(chains, "raw_buffer", List.of("h2c")).name()).isEqualTo("l#0");
    assertThat(select(chains, "raw_buffer", List.of("http/1.0"))).as("not listed: the catch-all").extracting(ListenerConfig::name)
        .isEqualTo("l#1");
    assertThat(select(chains, "raw_buffer", List.of()).name()).isEqualTo("l#1");
  }

  @Test
  void timeoutAndContinueAreRead() throws Exception {
    var yaml = SNIFFING.replace("    filter_chains:", "    listener_filters_timeout: 0.1s\n    continue_on_listener_filters_timeout: true\n    filter_chains:");
    var chains = ProxyConfigBuilderTest.build(yaml).listeners().getFirst().chains();
    assertThat(chains.filters().timeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(chains.filters().continueOnTimeout()).isTrue();
  }

  @Test
  void transportProtocolIsMatchedBeforeApplicationProtocols() throws Exception {
    var yaml = listener("""
          listener_filters:
          - name: envoy.filters.listener.tls_inspector
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
      """, """
          - filter_chain_match: {transport_protocol: raw_buffer, application_protocols: [http/1.1]}
            filters:
      """ + HCM + """
          - filter_chain_match: {transport_protocol: raw_buffer}
            filters:
      """ + TCP + """
          - filter_chain_match: {transport_protocol: tls}
            filters:
      """ + TCP.replace("stat_prefix: t", "stat_prefix: tls"));
    var chains = ProxyConfigBuilderTest.build(yaml).listeners().getFirst().chains();
    assertThat(chains.filters().tlsInspector()).isTrue();
    assertThat(select(chains, "tls", List.of("http/1.1")).name()).as("transport first").isEqualTo("l#2");
    assertThat(select(chains, "raw_buffer", List.of("http/1.1")).name()).isEqualTo("l#0");
    assertThat(select(chains, "raw_buffer", List.of()).name()).isEqualTo("l#1");
  }

  @Test
  void noMatchFallsToTheDefaultChainOrNothing() throws Exception {
    var only = listener("", """
          - filter_chain_match: {application_protocols: [http/1.1]}
            filters:
      """ + HCM + """
          - filter_chain_match: {transport_protocol: tls}
            filters:
      """ + TCP);
    var chains = ProxyConfigBuilderTest.build(only).listeners().getFirst().chains();
    assertThat(select(chains, "raw_buffer", List.of())).isNull();
    var withDefault = only.replace("    filter_chains:", "    default_filter_chain:\n      filters:\n" + TCP.indent(-2).indent(2)
        .replace("      - name: tcp", "      - name: tcp") + "    filter_chains:");
    var d = ProxyConfigBuilderTest.build(withDefault).listeners().getFirst().chains();
    assertThat(select(d, "raw_buffer", List.of()).name()).isEqualTo("l#default");
  }

  @Test
  void unsupportedCriteriaAndDuplicatesAreRefusedWithTheirPath() {
    // server_names is matched since the filter chain selector (FilterChainSelectorTest); source criteria are not
    var source = listener("", """
          - filter_chain_match: {source_ports: [1234]}
            filters:
      """ + HCM + """
          - filters:
      """ + TCP);
    assertThatThrownBy(() -> ProxyConfigBuilderTest.build(source)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("static_resources.listeners[0].filter_chains[0].filter_chain_match: source criteria")
        .hasMessageContaining("are not supported yet");
    var dup = listener("", """
          - filters:
      """ + HCM + """
          - filters:
      """ + TCP);
    assertThatThrownBy(() -> ProxyConfigBuilderTest.build(dup)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("static_resources.listeners[0].filter_chains[1].filter_chain_match: matches the same connections as filter_chains[0]");
  }

  @Test
  void aPermissivePairKeepsItsOwnPath() {
    // two identical-filter tls/raw_buffer chains stay one listener with permissive TLS (PermissiveChains), without a selector
    assertThat(FilterChains.applies(io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.getDefaultInstance()).build(), false)).isFalse();
    assertThat(FilterChains.applies(io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.getDefaultInstance())
        .addFilterChains(io.envoyproxy.envoy.config.listener.v3.FilterChain.getDefaultInstance()).build(), true)).isFalse();
  }

  @Test
  void plaintextIsSniffedOnlyWithTheHttpInspectorAndAChainThatListsApplicationProtocols() throws Exception {
    assertThat(ProxyConfigBuilderTest.build(SNIFFING).listeners().getFirst().chains().sniffsHttp()).isTrue();
    var noInspector = SNIFFING.replaceAll("(?m)^ *- name: envoy.filters.listener.http_inspector\\n *typed_config: [^\\n]*\\n", "");
    assertThat(noInspector).doesNotContain("http_inspector").contains("original_dst");
    var withoutFilter = ProxyConfigBuilderTest.build(noInspector).listeners().getFirst().chains();
    assertThat(withoutFilter.filters().httpInspector()).isFalse();
    assertThat(withoutFilter.sniffsHttp()).as("no http_inspector: plaintext has no application protocol").isFalse();
    assertThat(select(withoutFilter, "raw_buffer", List.of()).name()).isEqualTo("l#1");
    var noProtocols = SNIFFING.replace("filter_chain_match: {application_protocols: [http/1.1, h2c]}",
        "filter_chain_match: {transport_protocol: raw_buffer}");
    assertThat(ProxyConfigBuilderTest.build(noProtocols).listeners().getFirst().chains().sniffsHttp())
        .as("no chain lists application protocols: nothing to wait for").isFalse();
  }
}
