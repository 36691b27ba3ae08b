package io.meshwork.security.authz;

import io.meshwork.security.identity.SpiffeId;

/**
 * Per-request values derived once (the normalized path, the parsed peer identity) so that every
 * rule sees the same ones.
 */
record EvalContext(RequestAttributes req, String path, SpiffeId peer) {
  static EvalContext of(RequestAttributes req, String normalizedPath) {
    SpiffeId peer = null;
    if (req.sourcePrincipal() != null) {
      var p = req.sourcePrincipal();
      try {
        peer = p.startsWith(SpiffeId.SCHEME) ? SpiffeId.parse(p) : SpiffeId.parsePrincipal(p);
      } catch (IllegalArgumentException e) {
        peer = null; // a non-Istio identity: principals still match on the string, namespaces do not
      }
    }
    return new EvalContext(req, normalizedPath, peer);
  }

  /** The principal without {@code spiffe://}, or null on plaintext. */
  String principal() {
    var p = req.sourcePrincipal();
    return p != null && p.startsWith(SpiffeId.SCHEME) ? p.substring(SpiffeId.SCHEME.length()) : p;
  }

  String namespace() {
    return peer == null ? null : peer.namespace();
  }

  String trustDomain() {
    return peer == null ? null : peer.trustDomain();
  }

  String serviceAccount() {
    return peer == null ? null : peer.namespace() + "/" + peer.serviceAccount();
  }
}
