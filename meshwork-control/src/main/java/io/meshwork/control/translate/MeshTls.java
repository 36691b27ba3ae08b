package io.meshwork.control.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.meshwork.config.security.PeerAuthentication;
import io.meshwork.control.registry.Endpoint;
import io.meshwork.control.registry.MeshTlsLabels;
import io.meshwork.control.registry.Workload;
import io.meshwork.security.mtls.EffectiveMtls;
import io.meshwork.security.mtls.PeerAuthenticationResolver;
import io.meshwork.security.mtls.PeerPolicy;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Mutual TLS between sidecars, as Istio configures Envoy:
 * <ul>
 *   <li><b>auto mTLS</b> (outbound): a cluster without a DestinationRule {@code tls} setting gets
 *       {@code transport_socket_matches}: endpoints whose metadata says {@code tlsMode: istio}
 *       (they have a sidecar) get an ISTIO_MUTUAL socket (SDS secrets {@code default} and
 *       {@code ROOTCA}, SNI {@code outbound_.PORT_.SUBSET_.HOST}, the destination's SPIFFE IDs as
 *       {@code match_typed_subject_alt_names}), all others plaintext;
 *   <li><b>inbound</b>: per PeerAuthentication mode, STRICT is one TLS filter chain that requires a
 *       client certificate chained to {@code ROOTCA}; PERMISSIVE is that chain
 *       ({@code transport_protocol: tls}) plus the same filters in plaintext
 *       ({@code raw_buffer}) behind the TLS inspector; DISABLE is plaintext.
 * </ul>
 */
final class MeshTls {
  /** The trust domain SPIFFE IDs are expected in (Istio's default). */
  static final String TRUST_DOMAIN = "cluster.local";
  /** Istio's root namespace: a namespace-wide PeerAuthentication there is the mesh policy. */
  static final String ROOT_NAMESPACE = "istio-system";
  static final String MATCH_KEY = "envoy.transport_socket_match";
  static final List<String> ALPN_HTTP11 = List.of("istio-http/1.1", "istio", "http/1.1");
  static final List<String> ALPN_H2 = List.of("istio-h2", "istio", "h2");
  static final List<String> ALPN_TCP = List.of("istio-peer-exchange", "istio");
  /**
   * What a sniffed port's cluster offers: it carries HTTP and raw TCP alike, and the server's proxy
   * picks its inbound chain by this ALPN. {@code istio-http/*} would send a raw TCP connection to the
   * HTTP chain, {@code istio-peer-exchange} an HTTP one to the metadata exchange; so only Istio's
   * marker: a TCP connection reaches the server's mTLS chain without application protocols (TCP).
   * HTTP connections override it per connection, as Istio does, with the {@code istio.alpn} filter
   * of the outbound HTTP chain ({@link Sniffing#withAlpnOverride}: {@code istio-http/1.1}, {@code istio-h2}).
   */
  static final List<String> ALPN_SNIFFED = List.of("istio");
  /** What an inbound listener accepts: the application protocol first, then Istio's markers. */
  static final List<String> ALPN_INBOUND = List.of("h2", "http/1.1", "istio-peer-exchange", "istio");

  private MeshTls() {}

  /** The SDS config of a named secret over ADS. */
  static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ads()).build();
  }

  /** An ISTIO_MUTUAL upstream socket. */
  static TransportSocket istioMutual(String sni, List<String> spiffeIds, List<String> alpn) {
    var validation = CertificateValidationContext.newBuilder();
    for (var id : spiffeIds) {
      validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.URI)
          .setMatcher(StringMatcher.newBuilder().setExact(id)));
    }
    var common = CommonTlsContext.newBuilder()
        .setTlsParams(TlsParameters.newBuilder().setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2))
        .addTlsCertificateSdsSecretConfigs(sds("default"))
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(validation).setValidationContextSdsSecretConfig(sds("ROOTCA")))
        .addAllAlpnProtocols(alpn);
    var ctx = UpstreamTlsContext.newBuilder().setSni(sni).setCommonTlsContext(common).build();
    return TransportSocket.newBuilder().setName(UpstreamTls.NAME).setTypedConfig(Protos.any(ctx)).build();
  }

  /** Istio's SNI for mesh traffic: {@code outbound_.9080_.v1_.reviews.default.svc.cluster.local}. */
  static String sni(int port, String subset, String host) {
    return "outbound_." + port + "_." + (subset == null ? "" : subset) + "_." + host;
  }

  /** The SPIFFE IDs of the workloads behind {@code endpoints}, sorted (what the client accepts as the server). */
  static List<String> spiffeIds(List<Endpoint> endpoints, List<Workload> workloads) {
    var out = new TreeSet<String>();
    for (var e : endpoints) {
      for (var w : workloads) {
        if ((w.namespace() + "/" + w.name()).equals(e.workload())) {
          out.add("spiffe://" + TRUST_DOMAIN + "/ns/" + w.namespace() + "/sa/" + w.serviceAccount());
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * Adds auto mTLS to {@code c} when some endpoint has a sidecar: Istio's two
   * {@code transport_socket_matches} ({@code tlsMode-istio}, then {@code tlsMode-disabled}).
   */
  static Cluster.Builder autoMtls(Cluster.Builder c, List<Endpoint> endpoints, List<Workload> workloads, int port, String subset,
      String host, boolean http2, boolean tcp) {
    return autoMtls(c, endpoints, workloads, port, subset, host, tcp ? ALPN_TCP : http2 ? ALPN_H2 : ALPN_HTTP11);
  }

  /** As above, offering {@code alpn}. */
  static Cluster.Builder autoMtls(Cluster.Builder c, List<Endpoint> endpoints, List<Workload> workloads, int port, String subset,
      String host, List<String> alpn) {
    if (c.hasTransportSocket() || endpoints.stream().noneMatch(e -> MeshTlsLabels.istioMtls(e.labels()))) {
      return c;
    }
    var sock = istioMutual(sni(port, subset, host), spiffeIds(endpoints, workloads), alpn);
    c.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
        .setMatch(Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue(MeshTlsLabels.ISTIO).build()))
        .setTransportSocket(sock));
    c.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
        .setMatch(Struct.getDefaultInstance())
        .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.raw_buffer")));
    return c;
  }

  /** Endpoint metadata Istio sets on sidecar endpoints, read by {@code transport_socket_matches}. */
  static io.envoyproxy.envoy.config.core.v3.Metadata endpointMetadata() {
    return io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder().putFilterMetadata(MATCH_KEY,
        Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue(MeshTlsLabels.ISTIO).build()).build()).build();
  }

  /** The effective PeerAuthentication of a workload, resolved once per push for all proxies. */
  static EffectiveMtls peerAuthentication(MeshContext ctx, NodeInfo node) {
    PeerAuthenticationResolver resolver = ctx.memo("peer-authentication", () -> {
      var policies = new ArrayList<PeerPolicy>();
      for (var r : ctx.snapshot().ofKind("security.istio.io", "PeerAuthentication")) {
        policies.add(PeerPolicy.of(r));
      }
      return PeerAuthenticationResolver.of(ROOT_NAMESPACE, policies);
    });
    return resolver.resolve(node.namespace(), node.labels());
  }

  /** Istio's inbound server TLS: the workload certificate, a client certificate chained to the mesh roots required. */
  static TransportSocket inboundTls() {
    var common = CommonTlsContext.newBuilder()
        .setTlsParams(TlsParameters.newBuilder().setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2))
        .addTlsCertificateSdsSecretConfigs(sds("default"))
        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(CertificateValidationContext.getDefaultInstance())
            .setValidationContextSdsSecretConfig(sds("ROOTCA")))
        .addAllAlpnProtocols(ALPN_INBOUND);
    var ctx = DownstreamTlsContext.newBuilder().setRequireClientCertificate(BoolValue.of(true)).setCommonTlsContext(common).build();
    return TransportSocket.newBuilder().setName(UpstreamTls.NAME).setTypedConfig(Protos.any(ctx)).build();
  }

  /** The TLS inspector listener filter (PERMISSIVE detects TLS on the first bytes). */
  static ListenerFilter tlsInspector() {
    return ListenerFilter.newBuilder().setName(TlsListeners.TLS_INSPECTOR).setTypedConfig(Protos.any(TlsInspector.getDefaultInstance())).build();
  }

  /**
   * The filter chains of one inbound port for {@code mode}, each carrying {@code filter}.
   * {@code match} is the chain match without the transport protocol (e.g. a destination port).
   */
  static List<FilterChain> inboundChains(String name, FilterChainMatch match, List<Filter> filters, PeerAuthentication.Mode mode) {
    var tls = FilterChain.newBuilder().setName(name).setFilterChainMatch(match.toBuilder().setTransportProtocol("tls"))
        .setTransportSocket(inboundTls()).addAllFilters(filters).build();
    var plain = FilterChain.newBuilder().setName(name).setFilterChainMatch(match.toBuilder().setTransportProtocol("raw_buffer"))
        .addAllFilters(filters).build();
    return switch (mode) {
      case STRICT -> List.of(tls);
      case DISABLE -> List.of(plain.toBuilder().setFilterChainMatch(match).build());
      default -> List.of(tls, plain);
    };
  }
}
