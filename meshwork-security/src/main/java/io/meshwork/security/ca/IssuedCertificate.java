package io.meshwork.security.ca;

import io.meshwork.security.pki.Pem;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A signed workload certificate with everything a proxy installs.
 *
 * @param chain the leaf first, then the intermediates up to but excluding the root
 * @param root the root the chain ends at
 * @param trustBundle the roots the workload should trust now (more than one during a rotation)
 */
public record IssuedCertificate(List<X509Certificate> chain, X509Certificate root, List<X509Certificate> trustBundle) {
  public IssuedCertificate {
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
  }

  /** The workload certificate. */
  public X509Certificate leaf() {
    return chain.getFirst();
  }

  /** The chain as PEM, leaf first: what a TLS server presents. */
  public String chainPem() {
    return Pem.encode(chain);
  }

  /** The chain followed by the root, as Istio's CSR response carries it. */
  public List<X509Certificate> chainWithRoot() {
    var all = new java.util.ArrayList<>(chain);
    all.add(root);
    return all;
  }
}
