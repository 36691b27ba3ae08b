package io.meshwork.security.agent;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The CA's reply to a CSR.
 *
 * @param chain the leaf first, then intermediates (the root may follow; it is not required)
 * @param trustBundle the roots the workload must trust
 */
public record SignedChain(List<X509Certificate> chain, List<X509Certificate> trustBundle) {
  public SignedChain {
    chain = List.copyOf(chain);
    trustBundle = List.copyOf(trustBundle);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the CA returned an empty certificate chain");
    }
  }
}
