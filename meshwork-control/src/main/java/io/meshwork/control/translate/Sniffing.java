package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.meshwork.config.security.PeerAuthentication;
import io.meshwork.xds.IstioAlpnFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Protocol sniffing as Istio configures it for ports of unknown protocol (a service port name
 * without a protocol prefix and no protocol/appProtocol): the listener runs
 * {@code envoy.filters.listener.http_inspector} and has two filter chains, HTTP
 * ({@code application_protocols: [http/1.0, http/1.1, h2c]}) and TCP (no match: everything else);
 * over mTLS the same pair exists for {@code transport_protocol: tls} with Istio's
 * {@code istio-http/*} ALPN values, which the client sidecar's {@code istio.alpn} filter offers on
 * HTTP connections ({@link #withAlpnOverride}). Detection gives up after {@link #DETECTION_TIMEOUT} and
 * continues with the TCP chain ({@code continue_on_listener_filters_timeout}), so server-first
 * protocols (MySQL, a banner) still work on an unnamed port.
 */
final class Sniffing {
  static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  /** What the HTTP chain matches on plaintext: the http_inspector's results. */
  static final List<String> PLAINTEXT_HTTP = List.of("http/1.0", "http/1.1", "h2c");
  /** What the HTTP chain matches over mTLS: the ALPN Istio's client sidecars offer for HTTP. */
  static final List<String> MTLS_HTTP = List.of("istio-http/1.0", "istio-http/1.1", "istio-h2");
  /**
   * Istio's protocolDetectionTimeout as {@code listener_filters_timeout}. Istio's default is 0 s
   * (wait for ever: a server-first protocol on an unnamed port hangs); Meshwork keeps the 5 s that
   * Istio used before 1.12, see docs/decisions.md.
   */
  static final Duration DETECTION_TIMEOUT = Duration.ofSeconds(5);

  private Sniffing() {}

  static ListenerFilter httpInspector() {
    return ListenerFilter.newBuilder().setName(HTTP_INSPECTOR).setTypedConfig(Protos.any(HttpInspector.getDefaultInstance())).build();
  }

  /** Adds the http_inspector (once) and the detection timeout with continue-on-timeout. */
  static Listener.Builder inspect(Listener.Builder l) {
    if (l.getListenerFiltersList().stream().noneMatch(f -> f.getName().equals(HTTP_INSPECTOR))) {
      l.addListenerFilters(httpInspector());
    }
    return l.setListenerFiltersTimeout(Protos.duration(DETECTION_TIMEOUT.toNanos()))
        .setContinueOnListenerFiltersTimeout(true);
  }

  /** Adds the tls_inspector (once): chains that name a transport protocol need it. */
  static Listener.Builder inspectTls(Listener.Builder l) {
    if (l.getListenerFiltersList().stream().noneMatch(f -> f.getName().equals(TlsListeners.TLS_INSPECTOR))) {
      l.addListenerFilters(0, MeshTls.tlsInspector());
    }
    return l;
  }

  /**
   * Outbound: the HTTP chain ({@code http}: the connection manager, given Istio's {@code istio.alpn}
   * filter) first, then the TCP chain.
   */
  static List<FilterChain> outboundChains(Filter http, Filter tcp) {
    return List.of(
        FilterChain.newBuilder().setFilterChainMatch(FilterChainMatch.newBuilder().addAllApplicationProtocols(PLAINTEXT_HTTP))
            .addFilters(withAlpnOverride(http)).build(),
        FilterChain.newBuilder().addFilters(tcp).build());
  }

  /**
   * {@code hcm} with Istio's {@code istio.alpn} HTTP filter first: the sniffed port's cluster offers
   * only {@code istio} (it carries raw TCP too), and this filter makes each HTTP connection to a mesh
   * endpoint offer {@code istio-http/1.0}, {@code istio-http/1.1} or {@code istio-h2} instead, by the
   * upstream protocol, so the server's proxy picks its HTTP chain ({@link #MTLS_HTTP}) and serves the
   * requests as HTTP (metrics, spans, authorization by path). Istio adds it to every outbound
   * connection manager; here only sniffed ports need it (named HTTP ports' clusters offer
   * {@code istio-http/1.1} or {@code istio-h2} already).
   */
  static Filter withAlpnOverride(Filter hcm) {
    try {
      var m = hcm.getTypedConfig().unpack(HttpConnectionManager.class).toBuilder();
      if (m.getHttpFiltersList().stream().anyMatch(f -> f.getName().equals(IstioAlpnFilter.NAME))) {
        return hcm;
      }
      m.addHttpFilters(0, HttpFilter.newBuilder().setName(IstioAlpnFilter.NAME).setTypedConfig(IstioAlpnFilter.istioDefaults()));
      return hcm.toBuilder().setTypedConfig(Protos.any(m.build())).build();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("the outbound HTTP filter is not a connection manager", e);
    }
  }

  /**
   * Inbound chains of one sniffed port for a PeerAuthentication {@code mode} (null: no workload
   * certificate, plaintext only). {@code match} carries the destination port.
   */
  static List<FilterChain> inboundChains(String name, FilterChainMatch match, List<Filter> http, List<Filter> tcp,
      PeerAuthentication.Mode mode) {
    var out = new ArrayList<FilterChain>();
    boolean tls = mode == PeerAuthentication.Mode.STRICT || mode == PeerAuthentication.Mode.PERMISSIVE;
    boolean plain = mode != PeerAuthentication.Mode.STRICT;
    if (tls) {
      out.add(FilterChain.newBuilder().setName(name).setFilterChainMatch(match.toBuilder().setTransportProtocol("tls")
          .addAllApplicationProtocols(MTLS_HTTP)).setTransportSocket(MeshTls.inboundTls()).addAllFilters(http).build());
      out.add(FilterChain.newBuilder().setName(name).setFilterChainMatch(match.toBuilder().setTransportProtocol("tls"))
          .setTransportSocket(MeshTls.inboundTls()).addAllFilters(tcp).build());
    }
    if (plain) {
      var m = tls ? match.toBuilder().setTransportProtocol("raw_buffer") : match.toBuilder();
      out.add(FilterChain.newBuilder().setName(name).setFilterChainMatch(m.clone().addAllApplicationProtocols(PLAINTEXT_HTTP))
          .addAllFilters(http).build());
      out.add(FilterChain.newBuilder().setName(name).setFilterChainMatch(m).addAllFilters(tcp).build());
    }
    return out;
  }

  /** The key of the upstream HTTP options in a cluster's {@code typed_extension_protocol_options}. */
  static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  /**
   * {@code c} following the downstream protocol ({@code use_downstream_protocol_config}), as Istio
   * sets it on the outbound and inbound clusters of a port of unknown protocol: a request that came
   * in over HTTP/2 (gRPC) goes upstream as HTTP/2 (over mTLS offering {@code istio-h2}), HTTP/1.x as
   * HTTP/1.1. Only HTTP uses it; the TCP proxy ignores it.
   */
  static io.envoyproxy.envoy.config.cluster.v3.Cluster followDownstreamProtocol(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    if (c.containsTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS)) {
      return c;
    }
    var options = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setUseDownstreamProtocolConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig
            .newBuilder().setHttpProtocolOptions(io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions.getDefaultInstance())
            .setHttp2ProtocolOptions(io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return c.toBuilder().putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Protos.any(options)).build();
  }

  /**
   * {@code c} speaking HTTP/2 upstream ({@code explicit_http_config.http2_protocol_options}), as
   * Istio sets it on the outbound and inbound clusters of ports declared HTTP2, GRPC or GRPC-WEB.
   * Without it the proxy forwarded gRPC as HTTP/1.1, which carries no trailers (no grpc-status),
   * over a connection whose mTLS handshake had offered {@code istio-h2}.
   */
  static io.envoyproxy.envoy.config.cluster.v3.Cluster explicitHttp2(io.envoyproxy.envoy.config.cluster.v3.Cluster c) {
    if (c.containsTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS)) {
      return c;
    }
    var options = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
            .setHttp2ProtocolOptions(io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance()))
        .build();
    return c.toBuilder().putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, Protos.any(options)).build();
  }

  /** Whether a port protocol is one Istio sends upstream as HTTP/2. */
  static boolean isHttp2(String protocol) {
    return protocol.matches("HTTP2|GRPC|GRPC-WEB");
  }

  /** Whether a chain of {@code l} was made for a sniffed port (it lists application protocols). */
  static boolean sniffs(List<FilterChain> chains) {
    return chains.stream().anyMatch(c -> c.getFilterChainMatch().getApplicationProtocolsCount() > 0);
  }

  /** Whether a chain names a transport protocol (then the tls_inspector must run). */
  static boolean needsTls(List<FilterChain> chains) {
    return chains.stream().anyMatch(c -> !c.getFilterChainMatch().getTransportProtocol().isEmpty());
  }
}
