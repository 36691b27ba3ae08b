package io.meshwork.control.ca;

import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.IdentityVerifier;

/**
 * A certificate authority and a way to authenticate its callers that come from the environment the
 * control plane runs in, instead of the local root under {@code --state-dir} and join tokens. In
 * Kubernetes mode the root is the one every replica shares through a Secret and callers prove
 * their identity with their pod's ServiceAccount token (TokenReview); {@code meshwork-kubernetes}
 * implements this, so the control plane itself needs no Kubernetes client.
 */
public interface CaSource {
  /** The CA that signs workload certificates (and the serving certificate of port 15012). */
  CertificateAuthority authority();

  /**
   * Turns a caller's bearer credential into the only identity it may get a certificate for; a
   * credential it does not accept fails with a sentence the agent can show.
   */
  IdentityVerifier callers();

  /** A short description for the start-up log, e.g. "ServiceAccount tokens (TokenReview)". */
  String describe();
}
