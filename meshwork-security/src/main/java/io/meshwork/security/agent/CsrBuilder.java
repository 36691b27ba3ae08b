package io.meshwork.security.agent;

import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Builds the PKCS#10 request an agent sends. It carries the identity the agent expects as a URI
 * SAN, as Istio's agent does, but that is informational: the CA certifies only what the caller
 * proves. Signing the request with the key proves the agent holds it.
 */
public final class CsrBuilder {
  private CsrBuilder() {}

  /** A CSR for {@code keys} naming {@code identity}. */
  public static PKCS10CertificationRequest build(KeyPair keys, SpiffeId identity) {
    return build(keys, identity.uri());
  }

  /** A CSR for {@code keys} asking for the given URI SANs (tests use this to forge requests). */
  public static PKCS10CertificationRequest build(KeyPair keys, String... uriSans) {
    try {
      var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=meshwork"), keys.getPublic());
      if (uriSans.length > 0) {
        var names = new GeneralName[uriSans.length];
        for (int i = 0; i < uriSans.length; i++) {
          names[i] = new GeneralName(GeneralName.uniformResourceIdentifier, uriSans[i]);
        }
        var ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      var signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(keys.getPublic())).build(keys.getPrivate());
      return b.build(signer);
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot build a certificate request", e);
    }
  }

  /** The CSR as PEM. */
  public static String pem(PKCS10CertificationRequest csr) {
    return Pem.encode(csr);
  }
}
