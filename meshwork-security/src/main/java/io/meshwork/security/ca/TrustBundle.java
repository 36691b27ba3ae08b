package io.meshwork.security.ca;

import io.meshwork.security.pki.Pem;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The roots a workload trusts. During a root rotation it holds the new root and the previous one
 * until the overlap ends, so certificates signed by either verify and no connection fails while
 * workloads move to the new root.
 *
 * @param roots the trusted roots, the current one first
 */
public record TrustBundle(List<TrustedRoot> roots) {
  public TrustBundle {
    roots = List.copyOf(roots);
  }

  /**
   * A root and until when it is trusted.
   *
   * @param cert the root certificate
   * @param trustedUntil the end of the overlap for a previous root; null for the current root
   */
  public record TrustedRoot(X509Certificate cert, Instant trustedUntil) {}

  /** The roots trusted at {@code now}, current first. */
  public List<X509Certificate> certificates(Instant now) {
    var out = new ArrayList<X509Certificate>();
    for (var r : roots) {
      if (r.trustedUntil() == null || now.isBefore(r.trustedUntil())) {
        out.add(r.cert());
      }
    }
    return out;
  }

  /** The roots trusted at {@code now} as PEM, for a proxy's validation context. */
  public String pem(Instant now) {
    return Pem.encode(certificates(now));
  }
}
