package io.meshwork.security.ca;

import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.time.Duration;

/**
 * How the CA issues.
 *
 * @param trustDomain the trust domain of the root and of every SPIFFE ID it certifies
 * @param rootKeyAlgorithm the key type of a self-signed root
 * @param rootValidity how long a self-signed root is valid (10 years by default)
 * @param defaultTtl workload certificate lifetime when the caller asks for none (24 h)
 * @param maxTtl the longest workload lifetime the CA grants (90 days, Istio's maximum)
 */
public record CaOptions(String trustDomain, KeyAlgorithm rootKeyAlgorithm, Duration rootValidity, Duration defaultTtl, Duration maxTtl) {
  /** Istio's defaults: cluster.local, ECDSA P-256, 10-year root, 24 h workload certificates, 90 days at most. */
  public static CaOptions defaults() {
    return new CaOptions(SpiffeId.DEFAULT_TRUST_DOMAIN, KeyAlgorithm.EC_P256, Duration.ofDays(3650), Duration.ofHours(24), Duration.ofDays(90));
  }

  /** The same options with another trust domain. */
  public CaOptions withTrustDomain(String td) {
    return new CaOptions(td, rootKeyAlgorithm, rootValidity, defaultTtl, maxTtl);
  }

  /** The same options with another root key type. */
  public CaOptions withRootKeyAlgorithm(KeyAlgorithm alg) {
    return new CaOptions(trustDomain, alg, rootValidity, defaultTtl, maxTtl);
  }
}
