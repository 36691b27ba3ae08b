package io.meshwork.security.identity;

import java.util.Objects;

/**
 * A workload identity in Istio's SPIFFE form {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
 * Policies name peers by the {@linkplain #principal() principal}, the same string without the
 * {@code spiffe://} scheme, so both forms live here and nowhere else.
 *
 * @param trustDomain the trust domain, {@code cluster.local} unless the mesh is configured otherwise
 * @param namespace the workload's namespace
 * @param serviceAccount the workload's service account
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {
  /** The scheme of every SPIFFE ID. */
  public static final String SCHEME = "spiffe://";
  /** Istio's default trust domain. */
  public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";

  /** Checks each part: non-empty and free of {@code /}, so formatting and parsing round-trip. */
  public SpiffeId {
    checkPart("trust domain", trustDomain);
    checkPart("namespace", namespace);
    checkPart("service account", serviceAccount);
  }

  /** The identity of {@code namespace/serviceAccount} in the default trust domain. */
  public static SpiffeId of(String namespace, String serviceAccount) {
    return new SpiffeId(DEFAULT_TRUST_DOMAIN, namespace, serviceAccount);
  }

  /**
   * Parses {@code spiffe://td/ns/x/sa/y}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code uri}
   */
  public static SpiffeId parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (!uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new IllegalArgumentException("not a SPIFFE ID: \"" + uri + "\" must start with spiffe://");
    }
    return parsePrincipal(uri.substring(SCHEME.length()));
  }

  /**
   * Parses the principal form {@code td/ns/x/sa/y} used in AuthorizationPolicy {@code principals}.
   *
   * @throws IllegalArgumentException naming what is wrong with {@code principal}
   */
  public static SpiffeId parsePrincipal(String principal) {
    var parts = principal.split("/", -1);
    if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
      throw new IllegalArgumentException("not an Istio identity: \"" + principal
          + "\" must have the form <trust-domain>/ns/<namespace>/sa/<service-account>");
    }
    return new SpiffeId(parts[0], parts[2], parts[4]);
  }

  /** Whether {@code uri} parses as an Istio SPIFFE ID. */
  public static boolean isSpiffeId(String uri) {
    try {
      parse(uri);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The Istio identity in a certificate's URI SANs, or empty when it carries none (or more than
   * one, which Meshwork never issues and refuses to guess between).
   */
  public static java.util.Optional<SpiffeId> fromCertificate(java.security.cert.X509Certificate cert) {
    try {
      var sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return java.util.Optional.empty();
      }
      SpiffeId found = null;
      for (var san : sans) {
        if ((Integer) san.get(0) == 6 && san.get(1) instanceof String uri && isSpiffeId(uri)) {
          if (found != null) {
            return java.util.Optional.empty();
          }
          found = parse(uri);
        }
      }
      return java.util.Optional.ofNullable(found);
    } catch (java.security.cert.CertificateParsingException e) {
      return java.util.Optional.empty();
    }
  }

  /** The principal form without the scheme: {@code cluster.local/ns/default/sa/reviews}. */
  public String principal() {
    return trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** The URI form: {@code spiffe://cluster.local/ns/default/sa/reviews}. */
  public String uri() {
    return SCHEME + principal();
  }

  /** The same workload in another trust domain (used when a trust domain is renamed or aliased). */
  public SpiffeId withTrustDomain(String td) {
    return new SpiffeId(td, namespace, serviceAccount);
  }

  @Override
  public String toString() {
    return uri();
  }

  private static void checkPart(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("the " + what + " of a SPIFFE ID must not be empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new IllegalArgumentException("the " + what + " of a SPIFFE ID must not contain '/': \"" + value + "\"");
    }
  }
}
