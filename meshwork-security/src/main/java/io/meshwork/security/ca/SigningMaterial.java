package io.meshwork.security.ca;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The key and certificate the CA signs with, and the certificates above it.
 *
 * @param key the signing private key
 * @param cert the signing certificate (the root itself for a self-signed CA)
 * @param intermediates certificates between {@code cert} and the root, nearest first (empty when
 *     {@code cert} is the root or is signed by it directly)
 * @param root the root that anchors {@code cert}
 */
public record SigningMaterial(PrivateKey key, X509Certificate cert, List<X509Certificate> intermediates, X509Certificate root) {
  public SigningMaterial {
    intermediates = List.copyOf(intermediates);
  }

  /** Whether the signing certificate is the root itself. */
  public boolean selfSigned() {
    return cert.equals(root);
  }
}
