package io.meshwork.security.ca;

import io.meshwork.security.identity.SpiffeId;
import java.io.IOException;
import java.util.List;

/**
 * Kubernetes mode: a workload proves its identity with a projected ServiceAccount token, reviewed
 * by the API server (TokenReview) for the audience {@code istio-ca}, as Istio's agent does. The
 * reviewed username {@code system:serviceaccount:<ns>:<sa>} becomes
 * {@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}; any other kind of user is refused.
 */
public final class ServiceAccountTokenVerifier implements IdentityVerifier {
  /** The audience Istio's agent requests for its token. */
  public static final String DEFAULT_AUDIENCE = "istio-ca";
  private static final String PREFIX = "system:serviceaccount:";

  private final TokenReviewer reviewer;
  private final String trustDomain;
  private final List<String> audiences;

  public ServiceAccountTokenVerifier(TokenReviewer reviewer, String trustDomain, List<String> audiences) {
    this.reviewer = reviewer;
    this.trustDomain = trustDomain;
    this.audiences = List.copyOf(audiences);
  }

  @Override
  public SpiffeId verify(CallerCredential credential) throws AuthenticationException {
    if (!CallerCredential.KUBERNETES_TOKEN.equals(credential.type())) {
      throw new AuthenticationException("expected a Kubernetes ServiceAccount token, not " + credential.type());
    }
    TokenReviewer.Review r;
    try {
      r = reviewer.review(credential.value().strip(), audiences);
    } catch (IOException e) {
      throw new AuthenticationException("the Kubernetes API server could not review the token: " + e.getMessage());
    }
    if (!r.authenticated()) {
      throw new AuthenticationException("the ServiceAccount token was rejected by the API server" + (r.error() == null ? "" : ": " + r.error()));
    }
    if (!audiences.isEmpty() && r.audiences().stream().noneMatch(audiences::contains)) {
      throw new AuthenticationException("the ServiceAccount token is not valid for the audience " + audiences);
    }
    var user = r.username() == null ? "" : r.username();
    if (!user.startsWith(PREFIX)) {
      throw new AuthenticationException("the token belongs to " + user + ", not to a ServiceAccount");
    }
    var parts = user.substring(PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new AuthenticationException("unexpected ServiceAccount username " + user);
    }
    return new SpiffeId(trustDomain, parts[0], parts[1]);
  }
}
