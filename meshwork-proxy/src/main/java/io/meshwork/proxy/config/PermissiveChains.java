package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;

/**
 * PeerAuthentication PERMISSIVE as Istio writes it: two filter chains that differ only in
 * {@code filter_chain_match.transport_protocol} ({@code tls} with a transport socket,
 * {@code raw_buffer} without) and carry the same filters. The proxy serves such a pair as one
 * listener that detects TLS on the first byte ({@link TlsConfig#allowPlaintext()}); general filter
 * chain matching is not supported yet.
 */
final class PermissiveChains {
  private PermissiveChains() {}

  static boolean isPermissive(Listener l) {
    if (l.getFilterChainsCount() != 2) {
      return false;
    }
    var a = l.getFilterChains(0);
    var b = l.getFilterChains(1);
    var tls = a.getFilterChainMatch().getTransportProtocol().equals("tls") ? a : b;
    var raw = tls == a ? b : a;
    return tls.getFilterChainMatch().getTransportProtocol().equals("tls") && tls.hasTransportSocket()
        && raw.getFilterChainMatch().getTransportProtocol().equals("raw_buffer") && !raw.hasTransportSocket()
        && tls.getFiltersList().equals(raw.getFiltersList())
        && tls.getFilterChainMatch().toBuilder().clearTransportProtocol().build()
            .equals(raw.getFilterChainMatch().toBuilder().clearTransportProtocol().build());
  }

  static FilterChain tlsChain(Listener l) {
    var a = l.getFilterChains(0);
    return a.getFilterChainMatch().getTransportProtocol().equals("tls") ? a : l.getFilterChains(1);
  }
}
