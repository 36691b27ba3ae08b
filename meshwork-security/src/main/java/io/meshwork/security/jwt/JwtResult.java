package io.meshwork.security.jwt;

import io.meshwork.security.authz.RequestAttributes.JwtAttributes;
import java.util.List;
import java.util.Map;

/**
 * The outcome of RequestAuthentication for one request.
 *
 * @param status whether a token was absent, valid or invalid
 * @param jwt the principal and claims of a valid token (null otherwise), for authorization
 * @param setHeaders headers to set on the forwarded request (outputPayloadToHeader, outputClaimToHeaders)
 * @param removeHeaders headers to strip before forwarding: the token's header unless
 *     forwardOriginalToken, and every output header name so a client cannot spoof them
 * @param message why a token was rejected (Envoy's wording), or null
 */
public record JwtResult(Status status, JwtAttributes jwt, Map<String, String> setHeaders, List<String> removeHeaders, String message) {
  /** The body of a 401 as Envoy sends it. */
  public static final String DENIED_PREFIX = "Jwt verification fails";

  /** What was found. */
  public enum Status {
    /** No token in any configured location: the request passes unauthenticated. */
    NO_TOKEN,
    /** A token verified. */
    VALID,
    /** A token was present and did not verify: answer 401. */
    INVALID
  }

  public JwtResult {
    setHeaders = Map.copyOf(setHeaders);
    removeHeaders = List.copyOf(removeHeaders);
  }

  /** 401 for an invalid token, 0 otherwise. */
  public int httpStatus() {
    return status == Status.INVALID ? 401 : 0;
  }
}
