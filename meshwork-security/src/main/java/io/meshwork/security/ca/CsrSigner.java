package io.meshwork.security.ca;

import io.meshwork.security.pki.Pem;
import java.time.Duration;

/**
 * What the control plane's certificate service calls for each request: authenticate the caller,
 * then sign its CSR for exactly the identity it proved.
 */
public final class CsrSigner {
  private final IdentityVerifier verifier;
  private final CertificateAuthority ca;

  public CsrSigner(IdentityVerifier verifier, CertificateAuthority ca) {
    this.verifier = verifier;
    this.ca = ca;
  }

  /**
   * Signs a PEM CSR.
   *
   * @throws AuthenticationException when the credential proves nothing
   * @throws IllegalArgumentException when the CSR is malformed or its proof of possession fails
   */
  public IssuedCertificate sign(CallerCredential credential, String csrPem, Duration ttl) throws AuthenticationException {
    var identity = verifier.verify(credential);
    return ca.sign(Pem.csr(csrPem), identity, ttl);
  }
}
