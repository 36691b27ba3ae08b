package io.meshwork.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshwork.xds.client.XdsSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Gateway credentials received over SDS become the listener's inline TLS (MUTUAL: certificate and
 * client CA); until both have arrived the listener warms; the config dump keeps the references.
 */
class SdsInlineTest {
  private static String pem(String name) throws Exception {
    return Files.readString(Path.of(SdsInlineTest.class.getResource("/tls/" + name).toURI()));
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(pem, StandardCharsets.UTF_8)).build();
  }

  private static Listener mutualGatewayListener() {
    var common = CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("kubernetes://cert-a"))
        .setValidationContextSdsSecretConfig(SdsSecretConfig.newBuilder().setName("kubernetes://cert-a-cacert"));
    var tls = DownstreamTlsContext.newBuilder().setCommonTlsContext(common).setRequireClientCertificate(BoolValue.of(true)).build();
    var hcm = HttpConnectionManager.newBuilder().setStatPrefix("https").setRds(Rds.newBuilder().setRouteConfigName("r"))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return Listener.newBuilder().setName("gw_443")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(0)))
        .addFilterChains(FilterChain.newBuilder()
            .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls)))
            .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  private static XdsConfigBuilder.Built build(Map<String, Secret> secrets) throws Exception {
    var s = new XdsSnapshot(Map.of("gw_443", mutualGatewayListener()), Map.of("r", RouteConfiguration.newBuilder().setName("r").build()),
        Map.of(), Map.of(), Map.of(), secrets);
    return XdsConfigBuilder.build(s, 1, new XdsConfigBuilder.Options("gw", null, false, Set.of()));
  }

  @Test
  void mutualListenerWarmsUntilCertificateAndClientCaArriveThenServesThemInline() throws Exception {
    var cert = Secret.newBuilder().setName("kubernetes://cert-a").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(inline(pem("a.example.com.crt"))).setPrivateKey(inline(pem("a.example.com.key")))).build();
    var ca = Secret.newBuilder().setName("kubernetes://cert-a-cacert").setValidationContext(CertificateValidationContext.newBuilder()
        .setTrustedCa(inline(pem("b.example.com.crt")))).build();

    var waiting = build(Map.of("kubernetes://cert-a", cert));
    assertThat(waiting.config().listeners()).isEmpty();
    assertThat(waiting.unbound().get("gw_443")).startsWith("warming: waits for the SDS secret \"kubernetes://cert-a-cacert\"");

    var built = build(Map.of("kubernetes://cert-a", cert, "kubernetes://cert-a-cacert", ca));
    assertThat(built.unbound()).isEmpty();
    var tls = built.config().listeners().getFirst().tls();
    assertThat(tls.certificateChainPem()).isEqualTo(pem("a.example.com.crt"));
    assertThat(tls.privateKeyPem()).isEqualTo(pem("a.example.com.key"));
    assertThat(tls.trustedCaPem()).isEqualTo(pem("b.example.com.crt"));
    assertThat(tls.requireClientCertificate()).isTrue();
    assertThat(built.config().resources().get("listener/gw_443").toString()).as("the dump keeps the SDS references, not the key")
        .contains("kubernetes://cert-a").doesNotContain("PRIVATE KEY");
  }

  /** A SIMPLE chain for {@code sni} whose certificate is the SDS secret {@code secret}. */
  private static FilterChain simpleChain(String sni, String secret) {
    var common = CommonTlsContext.newBuilder().addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName(secret));
    var tls = DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build();
    var hcm = HttpConnectionManager.newBuilder().setStatPrefix("https").setRds(Rds.newBuilder().setRouteConfigName("r"))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
    return FilterChain.newBuilder()
        .setFilterChainMatch(io.envoyproxy.envoy.config.listener.v3.FilterChainMatch.newBuilder().addServerNames(sni))
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls)))
        .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))).build();
  }

  @Test
  void chainsWhoseSecretIsMissingOrWithdrawnAreLeftOutAndTheOthersServe() throws Exception {
    var listener = Listener.newBuilder().setName("gw_443")
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(0)))
        .addFilterChains(simpleChain("a.example.com", "kubernetes://cert-a")).addFilterChains(simpleChain("b.example.com", "kubernetes://cert-b"))
        .build();
    var certB = Secret.newBuilder().setName("kubernetes://cert-b").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(inline(pem("b.example.com.crt"))).setPrivateKey(inline(pem("b.example.com.key")))).build();
    var s = new XdsSnapshot(Map.of("gw_443", listener), Map.of("r", RouteConfiguration.newBuilder().setName("r").build()),
        Map.of(), Map.of(), Map.of(), Map.of("kubernetes://cert-b", certB));
    var built = XdsConfigBuilder.build(s, 1, new XdsConfigBuilder.Options("gw", null, false, Set.of()));
    assertThat(built.unbound()).as("one chain has its secret: the listener serves").isEmpty();
    var chains = built.config().listeners().getFirst().withChains().stream().filter(c -> c.tls() != null).toList();
    assertThat(chains).singleElement().satisfies(c -> assertThat(c.tls().certificateChainPem()).isEqualTo(pem("b.example.com.crt")));
    assertThat(built.config().listeners().getFirst().chains()).as("still selected by SNI: a.example.com has no chain").isNotNull();
    assertThat(built.config().resources().get("secret/kubernetes://cert-a").toString()).as("listed as warming for proxy-config secret")
        .doesNotContain("tls_certificate");
    assertThat(built.config().resources().get("secret/kubernetes://cert-b").toString()).contains("[redacted]").doesNotContain("PRIVATE KEY");
  }
}
