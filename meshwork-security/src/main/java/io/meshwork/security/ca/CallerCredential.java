package io.meshwork.security.ca;

/**
 * What a workload presents to prove who it is before it gets a certificate.
 *
 * @param type the kind of credential: {@link #JOIN_TOKEN} in local mode, {@link #KUBERNETES_TOKEN}
 *     for a projected ServiceAccount token
 * @param value the secret itself; never logged
 */
public record CallerCredential(String type, String value) {
  /** A join token issued by {@link JoinTokens}. */
  public static final String JOIN_TOKEN = "join-token";
  /** A Kubernetes ServiceAccount token (verified through TokenReview by a later verifier). */
  public static final String KUBERNETES_TOKEN = "kubernetes-sa-token";

  @Override
  public String toString() {
    return "CallerCredential[" + type + ", <redacted>]";
  }
}
