package io.meshwork.proxy.xds;

import io.envoyproxy.envoy.config.listener.v3.Listener;

/**
 * Envoy keeps a listener "warming" (not accepting) until every SDS secret its chains name has
 * arrived, while the rest of the configuration serves. The proxy's agent serves {@code default}
 * and {@code ROOTCA}; the control plane serves a gateway's {@code kubernetes://NAME} (from
 * {@code credentialName}) once the Secret exists. Until it has arrived, such a listener is left
 * unbound with that reason instead of failing the whole push; it binds with the next snapshot that
 * carries the secret.
 *
 * <p>A listener with several servers (one chain per SNI) is judged chain by chain, as an Istio
 * gateway behaves once Envoy's initial fetch of a missing secret times out: the chains whose secrets
 * have arrived serve, the others are left out, so a handshake for their SNI finds no certificate and
 * fails. This is also how a deleted Secret withdraws its certificate: the control plane stops serving
 * it, the proxy's next snapshot lacks it, and its chain stops serving (the listener warms again when
 * it was the only one).
 */
final class SdsWarming {
  private SdsWarming() {}

  /**
   * The first SDS secret (certificate or validation context) of {@code l}'s chains that neither the
   * agent serves nor has arrived from the control plane ({@link SdsInline} replaced those); null if none.
   */
  static String missingSecret(Listener l) {
    var names = io.meshwork.xds.client.SdsNames.of(l);
    return names.isEmpty() ? null : names.iterator().next();
  }

  /** Why such a listener is not bound. */
  static String reason(String secret) {
    return "warming: waits for the SDS secret \"" + secret + "\", which the control plane has not served to this proxy"
        + " (gateway tls.credentialName: create a kubernetes.io/tls Secret (tls.crt, tls.key) or an Opaque one (cert, key)"
        + " of that name in the gateway's namespace)";
  }

  /**
   * {@code l} without the chains that still name a secret not received; {@code l} itself when none
   * does; null when no chain is left (the listener then warms).
   */
  static Listener servingChains(Listener l) {
    if (io.meshwork.xds.client.SdsNames.of(l).isEmpty()) {
      return l;
    }
    var b = l.toBuilder().clearFilterChains();
    for (var c : l.getFilterChainsList()) {
      if (io.meshwork.xds.client.SdsNames.of(Listener.newBuilder().addFilterChains(c).build()).isEmpty()) {
        b.addFilterChains(c);
      }
    }
    if (l.hasDefaultFilterChain()
        && !io.meshwork.xds.client.SdsNames.of(Listener.newBuilder().setDefaultFilterChain(l.getDefaultFilterChain()).build()).isEmpty()) {
      b.clearDefaultFilterChain();
    }
    return b.getFilterChainsCount() == 0 && !b.hasDefaultFilterChain() ? null : b.build();
  }
}
