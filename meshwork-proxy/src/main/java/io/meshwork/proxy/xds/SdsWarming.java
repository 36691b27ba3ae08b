package io.meshwork.proxy.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.util.ArrayList;
import java.util.Set;

/**
 * Envoy keeps a listener "warming" (not accepting) until every SDS secret its chains name has
 * arrived, while the rest of the configuration serves. The proxy's agent serves only {@code default}
 * and {@code ROOTCA}; a listener naming another secret (a gateway's {@code kubernetes://NAME}, from
 * {@code credentialName}) is therefore left unbound with that reason instead of failing the whole
 * push.
 */
final class SdsWarming {
  private static final Set<String> SERVED = Set.of("default", "ROOTCA");

  private SdsWarming() {}

  /** The first certificate SDS secret of {@code l}'s chains that nobody serves; null if none. */
  static String missingSecret(Listener l) {
    var chains = new ArrayList<FilterChain>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    for (var c : chains) {
      if (!c.hasTransportSocket() || !c.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
        continue;
      }
      try {
        var common = c.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class).getCommonTlsContext();
        for (var s : common.getTlsCertificateSdsSecretConfigsList()) {
          if (!SERVED.contains(s.getName())) {
            return s.getName();
          }
        }
      } catch (InvalidProtocolBufferException e) {
        return null; // the listener builder reports it with its path
      }
    }
    return null;
  }

  /** Why such a listener is not bound. */
  static String reason(String secret) {
    return "warming: waits for the SDS secret \"" + secret + "\", which is not served to this proxy yet"
        + " (gateway credentialName); use the server's tls.serverCertificate and tls.privateKey files meanwhile";
  }
}
