package io.meshwork.proxy.config;

import io.meshwork.security.jwt.JwtAuthenticator;

/**
 * {@code envoy.filters.http.jwt_authn}, compiled into the security library's
 * {@link JwtAuthenticator} (one rule per provider). {@code remote}: some provider fetches its keys
 * from a URI, so verification may block on the network and runs off the event loop.
 */
public record JwtAuthnConfig(JwtAuthenticator authenticator, Requirement requirement, boolean remote) implements HttpFilterConfig {
  /** What Envoy's {@code requires} for {@code /} asks of a request. */
  public enum Requirement {
    /** {@code provider_name}: a valid token is required; a missing one is a 401. */
    REQUIRED,
    /** {@code requires_any} with {@code allow_missing} (Istio): missing passes, invalid is a 401. */
    ALLOW_MISSING,
    /** {@code allow_missing_or_failed}: nothing is refused; only valid tokens produce a principal. */
    ALLOW_MISSING_OR_FAILED,
    /** No rule: tokens are not verified at all. */
    NONE
  }
}
