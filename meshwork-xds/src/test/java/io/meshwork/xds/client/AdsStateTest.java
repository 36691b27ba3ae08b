package io.meshwork.xds.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdsStateTest {
  static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  static Cluster eds(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS).setServiceName(name)).build();
  }

  static Listener listener(String name, String route) {
    var hcm = HttpConnectionManager.newBuilder().setStatPrefix(name).setRds(Rds.newBuilder().setConfigSource(ADS).setRouteConfigName(route)).build();
    return Listener.newBuilder().setName(name)
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(hcm)))).build();
  }

  static DiscoveryResponse resp(String type, String version, String nonce, Message... ms) {
    var b = DiscoveryResponse.newBuilder().setTypeUrl(type).setVersionInfo(version).setNonce(nonce);
    for (var m : ms) {
      b.addResources(Any.pack(m));
    }
    return b.build();
  }

  static DiscoveryRequest of(List<DiscoveryRequest> rs, String type) {
    return rs.stream().filter(r -> r.getTypeUrl().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void warmsClustersBeforeEndpointsAndListenersBeforeRoutesThenAcks() {
    var node = NodeInfo.sidecar("a", "default", Map.of(), "10.0.0.1", Map.of()).toNode();
    var s = new AdsState(node);
    var start = s.start();
    assertThat(start).extracting(DiscoveryRequest::getTypeUrl).containsExactly(TypeUrls.CLUSTER, TypeUrls.LISTENER);
    assertThat(start.get(0).hasNode()).isTrue();
    assertThat(start.get(1).hasNode()).isFalse();

    var step = s.onResponse(resp(TypeUrls.CLUSTER, "1", "n1", eds("c1")));
    assertThat(step.offer()).isNull();
    assertThat(of(step.requests(), TypeUrls.ENDPOINT).getResourceNamesList()).containsExactly("c1");

    step = s.onResponse(resp(TypeUrls.LISTENER, "2", "n2", listener("l1", "r1")));
    assertThat(step.offer()).isNull();
    assertThat(of(step.requests(), TypeUrls.ROUTE).getResourceNamesList()).containsExactly("r1");

    assertThat(s.onResponse(resp(TypeUrls.ENDPOINT, "3", "n3", ClusterLoadAssignment.newBuilder().setClusterName("c1").build())).offer()).isNull();
    step = s.onResponse(resp(TypeUrls.ROUTE, "4", "n4", RouteConfiguration.newBuilder().setName("r1").build()));
    var offer = step.offer();
    assertThat(offer).isNotNull();
    assertThat(offer.clusters()).containsOnlyKeys("c1");
    assertThat(offer.routes()).containsOnlyKeys("r1");

    var acks = s.verdict(offer, XdsHandler.Verdict.ACCEPT);
    assertThat(acks).hasSize(4).allMatch(r -> !r.hasErrorDetail());
    assertThat(of(acks, TypeUrls.CLUSTER).getVersionInfo()).isEqualTo("1");
    assertThat(of(acks, TypeUrls.CLUSTER).getResponseNonce()).isEqualTo("n1");
    assertThat(of(acks, TypeUrls.ROUTE).getResponseNonce()).isEqualTo("n4");
    assertThat(s.current()).isSameAs(offer);
  }

  @Test
  void afterTheWarmingTimeoutMissingEndpointsAndRoutesAreEmpty() {
    var s = new AdsState(NodeInfo.sidecar("a", "default", Map.of(), "10.0.0.1", Map.of()).toNode());
    s.start();
    assertThat(s.onResponse(resp(TypeUrls.CLUSTER, "1", "a", eds("c1"))).offer()).isNull();
    assertThat(s.onResponse(resp(TypeUrls.LISTENER, "1", "b", listener("l1", "r1"))).offer()).isNull();
    assertThat(s.warming()).isTrue();
    var offer = s.forceOffer().offer();
    assertThat(offer).isNotNull();
    assertThat(offer.endpoints().get("c1").getEndpointsCount()).isZero();
    assertThat(offer.routes().get("r1").getVirtualHostsCount()).isZero();
    s.verdict(offer, XdsHandler.Verdict.ACCEPT);
    assertThat(s.warming()).isFalse();
  }

  @Test
  void aRejectedUpdateIsNackedWithTheReasonAndTheOldVersion() {
    var s = new AdsState(NodeInfo.sidecar("a", "default", Map.of(), "10.0.0.1", Map.of()).toNode());
    s.start();
    s.onResponse(resp(TypeUrls.LISTENER, "1", "a", new Message[0]));
    s.onResponse(resp(TypeUrls.CLUSTER, "1", "b", eds("c1")));
    var first = s.onResponse(resp(TypeUrls.ENDPOINT, "1", "c", ClusterLoadAssignment.newBuilder().setClusterName("c1").build())).offer();
    s.verdict(first, XdsHandler.Verdict.ACCEPT);

    var step = s.onResponse(resp(TypeUrls.CLUSTER, "2", "d", eds("c1"), eds("c2")));
    assertThat(of(step.requests(), TypeUrls.ENDPOINT).getResourceNamesList()).containsExactly("c1", "c2");
    var offer = s.onResponse(resp(TypeUrls.ENDPOINT, "2", "e", ClusterLoadAssignment.newBuilder().setClusterName("c2").build())).offer();
    assertThat(offer.clusters()).containsOnlyKeys("c1", "c2");
    var nacks = s.verdict(offer, XdsHandler.Verdict.reject("cluster c2 is not allowed"));
    assertThat(nacks).extracting(DiscoveryRequest::getTypeUrl).containsExactlyInAnyOrder(TypeUrls.CLUSTER, TypeUrls.ENDPOINT);
    assertThat(of(nacks, TypeUrls.CLUSTER).getErrorDetail().getMessage()).isEqualTo("cluster c2 is not allowed");
    assertThat(of(nacks, TypeUrls.CLUSTER).getVersionInfo()).isEqualTo("1");
    assertThat(of(nacks, TypeUrls.CLUSTER).getResponseNonce()).isEqualTo("d");
    assertThat(s.current().clusters()).containsOnlyKeys("c1");
  }

  /** A listener whose TLS names {@code kubernetes://cert} (a gateway's credentialName) and the agent's ROOTCA. */
  static Listener tlsListener(String name, String secret) {
    var common = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig.newBuilder()
            .setName(secret).setSdsConfig(ADS))
        .setValidationContextSdsSecretConfig(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig.newBuilder()
            .setName("ROOTCA"));
    var ctx = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build();
    return Listener.newBuilder().setName(name).addFilterChains(FilterChain.newBuilder().setTransportSocket(
        io.envoyproxy.envoy.config.core.v3.TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(ctx)))).build();
  }

  @Test
  void subscribesToTheSecretsListenersNameWithoutHoldingTheSnapshotForThem() {
    var node = NodeInfo.sidecar("gw", "istio-system", Map.of(), "10.0.0.1", Map.of()).asGateway().toNode();
    var s = new AdsState(node);
    s.start();
    var cds = s.onResponse(resp(TypeUrls.CLUSTER, "1", "n1")).offer();
    s.verdict(cds, XdsHandler.Verdict.ACCEPT);
    assertThat(cds.versions()).as("no secrets subscribed: the four types as before").doesNotContainKey("SDS");
    var step = s.onResponse(resp(TypeUrls.LISTENER, "2", "n2", tlsListener("l443", "kubernetes://cert")));
    assertThat(of(step.requests(), TypeUrls.SECRET).getResourceNamesList()).as("the agent's ROOTCA is not asked for")
        .containsExactly("kubernetes://cert");
    assertThat(step.offer()).as("the listener warms in the proxy; the rest is offered").isNotNull();
    assertThat(step.offer().secrets()).isEmpty();
    s.verdict(step.offer(), XdsHandler.Verdict.ACCEPT);

    var secret = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName("kubernetes://cert").build();
    step = s.onResponse(resp(TypeUrls.SECRET, "3", "n3", secret));
    assertThat(step.offer().secrets()).containsOnlyKeys("kubernetes://cert");
    assertThat(step.offer().versions()).containsEntry("SDS", "3");
    var acks = s.verdict(step.offer(), XdsHandler.Verdict.ACCEPT);
    assertThat(of(acks, TypeUrls.SECRET).getResponseNonce()).isEqualTo("n3");
    assertThat(s.start()).as("a new stream asks for the secret again").extracting(DiscoveryRequest::getTypeUrl).contains(TypeUrls.SECRET);
  }

  @Test
  void aSecretLeftOutOfTheNextSdsResponseIsDropped() {
    var node = NodeInfo.sidecar("gw", "istio-system", Map.of(), "10.0.0.1", Map.of()).asGateway().toNode();
    var s = new AdsState(node);
    s.start();
    s.verdict(s.onResponse(resp(TypeUrls.CLUSTER, "1", "n1")).offer(), XdsHandler.Verdict.ACCEPT);
    var lds = s.onResponse(resp(TypeUrls.LISTENER, "2", "n2", tlsListener("a", "kubernetes://a"), tlsListener("b", "kubernetes://b")));
    s.verdict(lds.offer(), XdsHandler.Verdict.ACCEPT);
    var a = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName("kubernetes://a").build();
    var b = io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.newBuilder().setName("kubernetes://b").build();
    var both = s.onResponse(resp(TypeUrls.SECRET, "3", "n3", a, b)).offer();
    assertThat(both.secrets()).containsOnlyKeys("kubernetes://a", "kubernetes://b");
    s.verdict(both, XdsHandler.Verdict.ACCEPT);

    var after = s.onResponse(resp(TypeUrls.SECRET, "4", "n4", b)).offer();
    assertThat(after.secrets()).as("the Secret of kubernetes://a was deleted").containsOnlyKeys("kubernetes://b");
    s.verdict(after, XdsHandler.Verdict.ACCEPT);
    var none = s.onResponse(resp(TypeUrls.SECRET, "5", "n5")).offer();
    assertThat(none.secrets()).as("an empty SDS response: none left").isEmpty();
    assertThat(none.listeners()).containsOnlyKeys("a", "b");
  }
}
