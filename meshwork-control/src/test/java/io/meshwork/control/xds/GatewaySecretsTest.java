package io.meshwork.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.meshwork.control.ControlPlaneExtension;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.Translator;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import io.meshwork.xds.client.XdsSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SDS for gateway credentials: {@code kubernetes://NAME} and {@code kubernetes://NAME-cacert} are
 * served from a Secret in the gateway's own namespace only (Istio's namespace authorization), only
 * to gateways whose listeners name them, and follow changes to the Secret.
 */
class GatewaySecretsTest {
  @RegisterExtension final ControlPlaneExtension cp = new ControlPlaneExtension();
  static final NodeInfo GATEWAY = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "10.0.0.5", Map.of())
      .asGateway();

  static final String GATEWAY_YAML = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 443, name: https, protocol: HTTPS}
          hosts: [a.example.com]
          tls: {mode: MUTUAL, credentialName: cert-a}
      """;

  private static String pem(String name) throws Exception {
    return Files.readString(Path.of(GatewaySecretsTest.class.getResource("/tls/" + name).toURI()));
  }

  static String secret(String ns, String crt, String key, String ca) {
    var b = new StringBuilder("""
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a, namespace: %s}
        type: kubernetes.io/tls
        stringData:
          tls.crt: |
        %s
          tls.key: |
        %s
        """.formatted(ns, crt.indent(4).stripTrailing(), key.indent(4).stripTrailing()));
    if (ca != null) {
      b.append("  ca.crt: |\n").append(ca.indent(4).stripTrailing()).append('\n');
    }
    return b.toString();
  }

  private static String inline(io.envoyproxy.envoy.config.core.v3.DataSource d) {
    return d.getInlineBytes().toString(StandardCharsets.UTF_8);
  }

  @Test
  void mutualGatewayNamesTheCertificateAndItsCaAsIstioDoes() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML)).errors()).isEmpty();
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), GATEWAY);
    var ctx = r.listeners().get("0.0.0.0_443").getFilterChains(0).getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("kubernetes://cert-a");
    assertThat(ctx.getCommonTlsContext().getValidationContextSdsSecretConfig().getName()).isEqualTo("kubernetes://cert-a-cacert");
    assertThat(GatewaySecrets.referenced(r)).containsExactly("kubernetes://cert-a", "kubernetes://cert-a-cacert");
  }

  @Test
  void mutualWithFilesKeepsItsClientCa() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML.replace("credentialName: cert-a",
        "serverCertificate: /etc/certs/tls.crt, privateKey: /etc/certs/tls.key, caCertificates: /etc/certs/ca.crt"))).errors()).isEmpty();
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), GATEWAY);
    var ctx = r.listeners().get("0.0.0.0_443").getFilterChains(0).getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    assertThat(ctx.getRequireClientCertificate().getValue()).isTrue();
    assertThat(ctx.getCommonTlsContext().getValidationContext().getTrustedCa().getFilename()).as("was dropped before").isEqualTo("/etc/certs/ca.crt");
    assertThat(GatewaySecrets.referenced(r)).isEmpty();
  }

  @Test
  void onlySecretsOfTheGatewaysNamespaceAndOnlyToGateways() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML + "---\n"
        + secret("default", pem("b.example.com.crt"), pem("b.example.com.key"), null))).errors()).isEmpty();
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), GATEWAY);
    assertThat(GatewaySecrets.forProxy(GATEWAY, r, store.snapshot())).as("another namespace's Secret is never served").isEmpty();

    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(secret("istio-system", pem("a.example.com.crt"), pem("a.example.com.key"),
        pem("b.example.com.crt")))).errors()).isEmpty();
    var served = GatewaySecrets.forProxy(GATEWAY, r, store.snapshot());
    assertThat(served).containsOnlyKeys("kubernetes://cert-a", "kubernetes://cert-a-cacert");
    assertThat(inline(served.get("kubernetes://cert-a").getTlsCertificate().getCertificateChain())).isEqualTo(pem("a.example.com.crt"));
    assertThat(inline(served.get("kubernetes://cert-a").getTlsCertificate().getPrivateKey())).isEqualTo(pem("a.example.com.key"));
    assertThat(inline(served.get("kubernetes://cert-a-cacert").getValidationContext().getTrustedCa())).isEqualTo(pem("b.example.com.crt"));

    var sidecar = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "10.0.0.5", Map.of());
    assertThat(GatewaySecrets.forProxy(sidecar, r, store.snapshot())).as("sidecars are not served gateway credentials").isEmpty();
  }

  @Test
  void aGatewayReceivesItsSecretOverAdsWhenItIsAppliedAndAgainWhenItChanges() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML));
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    try (var client = XdsClient.start(cp.xdsTarget(), GATEWAY, s -> {
      q.add(s);
      return XdsHandler.Verdict.ACCEPT;
    })) {
      var first = XdsServerTest.next(q, s -> s.listeners().containsKey("0.0.0.0_443") && s.versions().containsKey("SDS"));
      assertThat(first.secrets()).as("subscribed, nothing to serve yet").isEmpty();

      assertThat(cp.get().store().apply(ConfigStore.API, Fixtures.yaml(secret("istio-system", pem("a.example.com.crt"),
          pem("a.example.com.key"), pem("a.example.com.crt")))).errors()).isEmpty();
      var withSecret = XdsServerTest.next(q, s -> s.secrets().containsKey("kubernetes://cert-a"));
      assertThat(inline(withSecret.secrets().get("kubernetes://cert-a").getTlsCertificate().getCertificateChain()))
          .isEqualTo(pem("a.example.com.crt"));
      assertThat(withSecret.secrets()).containsKey("kubernetes://cert-a-cacert");

      assertThat(cp.get().store().apply(ConfigStore.API, Fixtures.yaml(secret("istio-system", pem("b.example.com.crt"),
          pem("b.example.com.key"), pem("a.example.com.crt")))).errors()).isEmpty();
      var rotatedPem = pem("b.example.com.crt");
      var rotated = XdsServerTest.next(q, s -> s.secrets().containsKey("kubernetes://cert-a")
          && inline(s.secrets().get("kubernetes://cert-a").getTlsCertificate().getCertificateChain()).equals(rotatedPem));
      assertThat(rotated.listeners()).containsKey("0.0.0.0_443");
    }
  }

  /** Istio's generic form: an Opaque Secret {@code name} with {@code entries} (plain PEM under stringData). */
  static String generic(String name, Map<String, String> entries) {
    var b = new StringBuilder("""
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: istio-system}
        type: Opaque
        stringData:
        """.formatted(name));
    new java.util.TreeMap<>(entries).forEach((k, v) -> b.append("  ").append(k).append(": |\n").append(v.indent(4)));
    return b.toString();
  }

  @Test
  void genericSecretsAndASeparateCacertSecretAreReadAsIstiodReadsThem() throws Exception {
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML + "---\n" + generic("cert-a", Map.of("cert", pem("a.example.com.crt"),
        "key", pem("a.example.com.key"), "cacert", pem("a.example.com.crt"))))).errors()).isEmpty();
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), GATEWAY);
    var served = GatewaySecrets.forProxy(GATEWAY, r, store.snapshot());
    assertThat(served).containsOnlyKeys("kubernetes://cert-a", "kubernetes://cert-a-cacert");
    assertThat(inline(served.get("kubernetes://cert-a").getTlsCertificate().getCertificateChain())).isEqualTo(pem("a.example.com.crt"));
    assertThat(inline(served.get("kubernetes://cert-a").getTlsCertificate().getPrivateKey())).isEqualTo(pem("a.example.com.key"));
    assertThat(inline(served.get("kubernetes://cert-a-cacert").getValidationContext().getTrustedCa()))
        .as("the generic form's cacert").isEqualTo(pem("a.example.com.crt"));

    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(generic("cert-a-cacert", Map.of("ca.crt", pem("b.example.com.crt"))))).errors())
        .isEmpty();
    served = GatewaySecrets.forProxy(GATEWAY, r, store.snapshot());
    assertThat(inline(served.get("kubernetes://cert-a-cacert").getValidationContext().getTrustedCa()))
        .as("a Secret named NAME-cacert wins over NAME's own CA, as in istiod").isEqualTo(pem("b.example.com.crt"));
  }

  @Test
  void aDeletedSecretIsWithdrawnOverStateOfTheWorldAds() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML + "---\n" + secret("istio-system", pem("a.example.com.crt"),
        pem("a.example.com.key"), pem("b.example.com.crt"))));
    var q = new LinkedBlockingQueue<XdsSnapshot>();
    try (var client = XdsClient.start(cp.xdsTarget(), GATEWAY, s -> {
      q.add(s);
      return XdsHandler.Verdict.ACCEPT;
    })) {
      XdsServerTest.next(q, s -> s.secrets().keySet().containsAll(java.util.List.of("kubernetes://cert-a", "kubernetes://cert-a-cacert")));
      assertThat(cp.get().store().delete(java.util.List.of(new io.meshwork.config.ResourceKey("", "Secret", "istio-system", "cert-a")))
          .errors()).isEmpty();
      var after = XdsServerTest.next(q, s -> s.secrets().isEmpty());
      assertThat(after.listeners()).as("the listener stays; only its secrets are gone").containsKey("0.0.0.0_443");
    }
  }

  /** The next SDS response (another type's push may come first on a loaded machine). */
  private static io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse nextSds(
      LinkedBlockingQueue<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse> responses) throws InterruptedException {
    while (true) {
      var r = responses.poll(20, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r).as("an SDS response arrives").isNotNull();
      if (r.getTypeUrl().equals(GatewaySecrets.TYPE)) {
        return r;
      }
    }
  }

  @Test
  void aDeletedSecretIsListedInDeltaRemovedResources() throws Exception {
    cp.get().store().apply(ConfigStore.API, Fixtures.yaml(GATEWAY_YAML + "---\n" + generic("cert-a", Map.of("cert", pem("a.example.com.crt"),
        "key", pem("a.example.com.key"))) + "---\n" + generic("cert-a-cacert", Map.of("cacert", pem("b.example.com.crt")))));
    var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(cp.xdsTarget()).usePlaintext().build();
    var responses = new LinkedBlockingQueue<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse>();
    try {
      var requests = io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc.newStub(channel)
          .deltaAggregatedResources(new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse r) {
              responses.add(r);
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          });
      // The listeners first (the SDS names are those they reference), then the two secrets.
      requests.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder().setNode(GATEWAY.toNode())
          .setTypeUrl(io.meshwork.control.translate.ProxyResources.LISTENER).build());
      assertThat(responses.poll(20, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
      requests.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder().setTypeUrl(GatewaySecrets.TYPE)
          .addResourceNamesSubscribe("kubernetes://cert-a").addResourceNamesSubscribe("kubernetes://cert-a-cacert").build());
      var first = nextSds(responses);
      assertThat(first.getResourcesList()).extracting(io.envoyproxy.envoy.service.discovery.v3.Resource::getName)
          .containsExactlyInAnyOrder("kubernetes://cert-a", "kubernetes://cert-a-cacert");
      requests.onNext(io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest.newBuilder().setTypeUrl(GatewaySecrets.TYPE)
          .setResponseNonce(first.getNonce()).build());

      cp.get().store().delete(java.util.List.of(new io.meshwork.config.ResourceKey("", "Secret", "istio-system", "cert-a-cacert")));
      var removed = nextSds(responses);
      assertThat(removed.getRemovedResourcesList()).containsExactly("kubernetes://cert-a-cacert");
      assertThat(removed.getResourcesList()).as("the certificate is unchanged, not resent").isEmpty();
      requests.onCompleted();
    } finally {
      channel.shutdownNow();
    }
  }
}
