package io.meshwork.security.ca;

import io.meshwork.security.identity.SpiffeId;

/**
 * Turns a caller's credential into the identity it proves. Local mode uses join tokens
 * ({@link JoinTokens}); a Kubernetes implementation will call TokenReview on a ServiceAccount
 * token and map {@code system:serviceaccount:<ns>:<sa>} to the SPIFFE ID.
 */
public interface IdentityVerifier {
  /**
   * The identity {@code credential} proves.
   *
   * @throws AuthenticationException when the credential is of another type, unknown, expired or revoked
   */
  SpiffeId verify(CallerCredential credential) throws AuthenticationException;
}
