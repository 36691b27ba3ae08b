package io.meshwork.proxy.config;

import io.meshwork.xds.IstioAlpnFilter;
import java.util.List;

/**
 * Istio's {@code istio.alpn} HTTP filter: the ALPN list an upstream mesh TLS connection offers, by
 * the HTTP protocol spoken on it, instead of the cluster's list. Istio puts it in every outbound
 * connection manager so that a port of unknown protocol (whose cluster carries HTTP and raw TCP
 * alike and offers only {@code istio}) tells the server's proxy that this connection is HTTP
 * ({@code istio-http/1.0}, {@code istio-http/1.1}, {@code istio-h2}): the server then takes its HTTP
 * filter chain, not the TCP one. It does not act on a request; the router reads it when it picks a pool.
 *
 * <p>As Envoy, the protocol is the upstream's: HTTP/2 for a cluster that speaks HTTP/2, else HTTP/1.1
 * ({@code http10} applies only to clusters that follow the downstream protocol, which Meshwork does
 * not build). Unlike Envoy, the override replaces only mesh TLS (a list that names {@code istio}): a
 * DestinationRule's TLS origination to a server outside the mesh keeps its configured ALPN.
 *
 * @param http10 the override for HTTP/1.0 upstream connections (null: none)
 * @param http11 the override for HTTP/1.1 upstream connections (null: none)
 * @param http2 the override for HTTP/2 upstream connections (null: none)
 */
public record AlpnOverrideConfig(List<String> http10, List<String> http11, List<String> http2) implements HttpFilterConfig {
  /** Istio's marker ALPN: a client TLS list naming it is mesh TLS. */
  public static final String ISTIO = "istio";

  /** The filter's {@code typed_config} ({@code istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig}). */
  static AlpnOverrideConfig of(com.google.protobuf.Any any, String path) throws ConfigException {
    if (!IstioAlpnFilter.is(any)) {
      throw new ConfigException(path, IstioAlpnFilter.NAME + " needs a typed_config of type "
          + io.meshwork.xds.EnvoyTypes.typeUrl(IstioAlpnFilter.descriptor()) + " (got " + any.getTypeUrl() + ")");
    }
    try {
      var m = IstioAlpnFilter.overrides(any);
      return new AlpnOverrideConfig(m.get(IstioAlpnFilter.Protocol.HTTP10), m.get(IstioAlpnFilter.Protocol.HTTP11),
          m.get(IstioAlpnFilter.Protocol.HTTP2));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new ConfigException(path, "cannot be decoded (" + e.getMessage() + ")");
    }
  }

  /** The ALPN for an upstream connection to a cluster that speaks HTTP/2 ({@code http2}) or HTTP/1.1; null: no override. */
  public List<String> forUpstream(boolean http2Upstream) {
    return http2Upstream ? http2 : http11;
  }

  /** The override of the first {@code istio.alpn} filter in {@code filters}, for the upstream protocol; null: none. */
  public static List<String> find(List<HttpFilterConfig> filters, boolean http2Upstream) {
    for (var f : filters) {
      if (f instanceof AlpnOverrideConfig a) {
        return a.forUpstream(http2Upstream);
      }
    }
    return null;
  }

  /** {@code tls} offering {@code alpn} instead when it is mesh TLS and {@code alpn} is an override; else {@code tls}. */
  public static UpstreamTlsConfig apply(UpstreamTlsConfig tls, List<String> alpn) {
    if (tls == null || alpn == null || alpn.isEmpty() || !tls.alpnProtocols().contains(ISTIO) || tls.alpnProtocols().equals(alpn)) {
      return tls;
    }
    return new UpstreamTlsConfig(tls.sni(), alpn, tls.sdsCertificate(), tls.sdsRootCa(), tls.certificateChainPem(),
        tls.privateKeyPem(), tls.trustedCaPem(), tls.subjectAltNames(), tls.verify());
  }
}
