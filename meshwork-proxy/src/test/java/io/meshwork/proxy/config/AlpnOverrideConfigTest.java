package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Istio's {@code istio.alpn} HTTP filter, as Istio writes it into outbound connection managers: read
 * into per-protocol overrides (Istio's YAML form, through the type registry), refused when its config
 * is of another type, and applied only to mesh TLS.
 */
class AlpnOverrideConfigTest {
  static final String ISTIO_ALPN = """
                - name: istio.alpn
                  typed_config:
                    "@type": type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig
                    alpn_override:
                    - alpn_override: [istio-http/1.0, istio]
                    - {upstream_protocol: HTTP11, alpn_override: [istio-http/1.1, istio]}
                    - {upstream_protocol: HTTP2, alpn_override: [istio-h2, istio]}
      """;

  static HttpConnectionManagerConfig hcm(String filter) throws Exception {
    var yaml = ProxyConfigBuilderTest.BASE.replace("http_filters:\n", "http_filters:\n" + filter);
    var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("b.yaml", yaml), 1);
    return ((ListenerConfig.Http) config.listeners().getFirst().protocol()).hcm();
  }

  @Test
  void istiosFilterIsReadAsOverridesPerUpstreamProtocol() throws Exception {
    var hcm = hcm(ISTIO_ALPN);
    assertThat(hcm.filters()).singleElement().isEqualTo(new AlpnOverrideConfig(List.of("istio-http/1.0", "istio"),
        List.of("istio-http/1.1", "istio"), List.of("istio-h2", "istio")));
    assertThat(AlpnOverrideConfig.find(hcm.filters(), false)).containsExactly("istio-http/1.1", "istio");
    assertThat(AlpnOverrideConfig.find(hcm.filters(), true)).containsExactly("istio-h2", "istio");
    assertThat(AlpnOverrideConfig.find(List.of(), false)).as("no filter: the cluster's ALPN").isNull();
  }

  @Test
  void aConfigOfAnotherTypeIsRefusedWithItsPath() {
    var other = """
                - name: istio.alpn
                  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector}
      """;
    assertThatThrownBy(() -> hcm(other)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http_filters[0].typed_config: istio.alpn needs a typed_config of type "
            + "type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig");
  }

  @Test
  void onlyMeshTlsIsOverridden() {
    var mesh = new UpstreamTlsConfig("outbound_.7000_._.kv", List.of("istio"), true, true, null, null, null,
        List.of("spiffe://cluster.local/ns/default/sa/kv"), true);
    var http11 = AlpnOverrideConfig.apply(mesh, List.of("istio-http/1.1", "istio"));
    assertThat(http11.alpnProtocols()).containsExactly("istio-http/1.1", "istio");
    assertThat(http11).as("everything else kept").usingRecursiveComparison().ignoringFields("alpnProtocols").isEqualTo(mesh);
    var external = new UpstreamTlsConfig("api.example.com", List.of("h2", "http/1.1"), false, false, null, null, null, List.of(), true);
    assertThat(AlpnOverrideConfig.apply(external, List.of("istio-http/1.1", "istio"))).as("TLS origination outside the mesh")
        .isSameAs(external);
    assertThat(AlpnOverrideConfig.apply(null, List.of("istio-h2", "istio"))).as("plaintext").isNull();
    assertThat(AlpnOverrideConfig.apply(mesh, null)).isSameAs(mesh);
  }
}
