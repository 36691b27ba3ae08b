package io.meshwork.proxy.xds;

import io.envoyproxy.envoy.config.listener.v3.Listener;

/**
 * Envoy keeps a listener "warming" (not accepting) until every SDS secret its chains name has
 * arrived, while the rest of the configuration serves. The proxy's agent serves {@code default}
 * and {@code ROOTCA}; the control plane serves a gateway's {@code kubernetes://NAME} (from
 * {@code credentialName}) once the Secret exists. Until it has arrived, such a listener is left
 * unbound with that reason instead of failing the whole push; it binds with the next snapshot that
 * carries the secret.
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
        + " (gateway tls.credentialName: create a kubernetes.io/tls Secret of that name in the gateway's namespace)";
  }
}
