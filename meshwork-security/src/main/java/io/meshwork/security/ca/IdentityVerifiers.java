package io.meshwork.security.ca;

import java.util.Map;

/**
 * Combines verifiers by credential type, so one control plane can accept join tokens from VMs
 * and ServiceAccount tokens from Kubernetes pods at the same time.
 */
public final class IdentityVerifiers {
  private IdentityVerifiers() {}

  /** A verifier that hands each credential to the verifier registered for its type. */
  public static IdentityVerifier byType(Map<String, IdentityVerifier> verifiers) {
    var copy = Map.copyOf(verifiers);
    return credential -> {
      var v = copy.get(credential.type());
      if (v == null) {
        throw new AuthenticationException("credential type " + credential.type() + " is not accepted here; use one of " + copy.keySet());
      }
      return v.verify(credential);
    };
  }
}
