package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Mesh mTLS through the translator: PeerAuthentication precedence (mesh, namespace, workload
 * selector, port level) on a sidecar's inbound listener, and auto mTLS on clusters whose endpoints
 * have a sidecar.
 */
class MeshTlsTranslationTest {
  static final String H = "reviews.default.svc.cluster.local";
  static final NodeInfo REVIEWS = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "127.0.0.5",
      Map.of("http", 9080, "grpc", 7070)).withServiceAccount("reviews").withInboundPorts(Map.of("http", 15080, "grpc", 15070));
  static final NodeInfo CLIENT = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage"), "127.0.0.6", Map.of());

  static final String REVIEWS_ENTRY = """
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v1}
      spec:
        address: 127.0.0.5
        serviceAccount: reviews
        labels: {app: reviews, security.istio.io/tlsMode: istio, inbound.meshwork.io/9080: "15080"}
        ports: {http: 9080}
      """;

  static ProxyResources translate(NodeInfo node, String... docs) {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.yaml(String.join("---\n", docs)));
    assertThat(r.errors()).isEmpty();
    return Translator.translate(MeshContext.of(store.snapshot(), true), node);
  }

  static String pa(String ns, String name, String selector, String mode, String ports) {
    return """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: %s, namespace: %s}
        spec:
        %s%s%s""".formatted(name, ns, selector == null ? "" : "  selector: {matchLabels: " + selector + "}\n",
        mode == null ? "" : "  mtls: {mode: " + mode + "}\n", ports == null ? "" : "  portLevelMtls: " + ports + "\n");
  }

  /** The transport protocols of the local inbound listener for {@code port}: [tls], [tls, raw_buffer] or [""] (plaintext). */
  static List<String> modes(ProxyResources r, int inboundPort) {
    Listener l = r.listeners().get("127.0.0.5_" + inboundPort);
    assertThat(l).as("local inbound listener " + inboundPort).isNotNull();
    return l.getFilterChainsList().stream().map(c -> c.getFilterChainMatch().getTransportProtocol()).toList();
  }

  @Test
  void defaultIsPermissiveWithTlsAndPlaintextChainsBehindTheInspector() throws Exception {
    var r = translate(REVIEWS, Fixtures.REVIEWS_SVC);
    assertThat(modes(r, 15080)).containsExactly("tls", "raw_buffer");
    var l = r.listeners().get("127.0.0.5_15080");
    assertThat(l.getListenerFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.listener.tls_inspector");
    var tls = l.getFilterChains(0).getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(tls.getRequireClientCertificate().getValue()).isTrue();
    assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("default");
    assertThat(tls.getCommonTlsContext().getCombinedValidationContext().getValidationContextSdsSecretConfig().getName()).isEqualTo("ROOTCA");
    // local mode: the inbound cluster is the app on the workload's address
    var cla = r.clusters().get("inbound|9080||").getLoadAssignment();
    assertThat(cla.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.5");
  }

  @Test
  void precedenceWorkloadOverNamespaceOverMeshAndPortLevelOverWorkload() {
    var mesh = pa("istio-system", "default", null, "STRICT", null);
    assertThat(modes(translate(REVIEWS, Fixtures.REVIEWS_SVC, mesh), 15080)).containsExactly("tls");

    var ns = pa("default", "ns", null, "DISABLE", null);
    assertThat(modes(translate(REVIEWS, Fixtures.REVIEWS_SVC, mesh, ns), 15080)).containsExactly("");

    var workload = pa("default", "reviews", "{app: reviews}", "PERMISSIVE", null);
    assertThat(modes(translate(REVIEWS, Fixtures.REVIEWS_SVC, mesh, ns, workload), 15080)).containsExactly("tls", "raw_buffer");

    // UNSET at the workload level inherits the namespace's DISABLE; the port override wins for 9080 only.
    var portLevel = pa("default", "reviews", "{app: reviews}", "UNSET", "{9080: {mode: STRICT}}");
    var r = translate(REVIEWS, Fixtures.REVIEWS_SVC, mesh, ns, portLevel);
    assertThat(modes(r, 15080)).containsExactly("tls");
    assertThat(modes(r, 15070)).containsExactly("");

    // A selector policy in another namespace or for other labels does not apply.
    var other = pa("default", "ratings", "{app: ratings}", "DISABLE", null);
    assertThat(modes(translate(REVIEWS, Fixtures.REVIEWS_SVC, mesh, other), 15080)).containsExactly("tls");
  }

  @Test
  void proxiesWithoutAnIdentityKeepPlaintextInbound() {
    var plain = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "127.0.0.5", Map.of("http", 9080));
    var r = translate(plain, Fixtures.REVIEWS_SVC, pa("istio-system", "default", null, "STRICT", null));
    var vi = r.listeners().get(Names.VIRTUAL_INBOUND);
    assertThat(vi.getFilterChainsList()).noneMatch(c -> c.hasTransportSocket());
    assertThat(r.listeners()).doesNotContainKey("127.0.0.5_15080");
  }

  @Test
  void autoMtlsMatchesSidecarEndpointsAndExpectsTheirServiceAccount() throws Exception {
    var r = translate(CLIENT, Fixtures.REVIEWS_SVC, REVIEWS_ENTRY);
    var c = r.clusters().get("outbound|9080||" + H);
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesList()).extracting(m -> m.getName()).containsExactly("tlsMode-istio", "tlsMode-disabled");
    var istio = c.getTransportSocketMatches(0);
    assertThat(istio.getMatch().getFieldsMap().get("tlsMode").getStringValue()).isEqualTo("istio");
    var ctx = istio.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(ctx.getSni()).isEqualTo("outbound_.9080_._." + H);
    assertThat(ctx.getCommonTlsContext().getAlpnProtocolsList()).containsExactly("istio-http/1.1", "istio", "http/1.1");
    assertThat(ctx.getCommonTlsContext().getCombinedValidationContext().getDefaultValidationContext().getMatchTypedSubjectAltNamesList())
        .extracting(m -> m.getMatcher().getExact()).containsExactly("spiffe://cluster.local/ns/default/sa/reviews");
    // the endpoint is the sidecar's inbound port, marked for the match
    var ep = r.endpoints().get("outbound|9080||" + H).getEndpoints(0).getLbEndpoints(0);
    assertThat(ep.getEndpoint().getAddress().getSocketAddress().getPortValue()).isEqualTo(15080);
    assertThat(ep.getMetadata().getFilterMetadataMap().get("envoy.transport_socket_match").getFieldsMap().get("tlsMode").getStringValue())
        .isEqualTo("istio");
  }

  @Test
  void destinationRuleDisableTurnsAutoMtlsOffAndEndpointsWithoutSidecarGetNone() throws Exception {
    var dr = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy:
            tls: {mode: DISABLE}
        """;
    var c = translate(CLIENT, Fixtures.REVIEWS_SVC, REVIEWS_ENTRY, dr).clusters().get("outbound|9080||" + H);
    assertThat(c.getTransportSocketMatchesCount()).isZero();
    assertThat(c.hasTransportSocket()).isFalse();
    var noSidecar = REVIEWS_ENTRY.replace(", security.istio.io/tlsMode: istio", "");
    assertThat(translate(CLIENT, Fixtures.REVIEWS_SVC, noSidecar).clusters().get("outbound|9080||" + H).getTransportSocketMatchesCount()).isZero();
  }
}
