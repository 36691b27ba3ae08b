package io.meshwork.security.ca;

import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds the two kinds of certificate the CA makes: roots and workload leaves. */
final class Certs {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Certs() {}

  /** A self-signed root for {@code trustDomain}: CA, key usage keyCertSign/cRLSign, subject {@code O=<trustDomain>}. */
  static X509Certificate selfSignedRoot(KeyPair keys, String trustDomain, Instant notBefore, Instant notAfter) {
    var name = new X500Name("O=" + trustDomain);
    try {
      var ext = new JcaX509ExtensionUtils();
      var b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return sign(b, keys.getPrivate(), keys.getPublic());
    } catch (CertIOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot build a root certificate", e);
    }
  }

  /**
   * A workload leaf: empty subject with a critical URI SAN (as Istio issues them), key usage
   * digitalSignature/keyEncipherment, EKU serverAuth and clientAuth, not a CA.
   */
  static X509Certificate workload(PublicKey subjectKey, String spiffeUri, SigningMaterial signer, Instant notBefore, Instant notAfter) {
    try {
      var ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          signer.cert(), serial(), Date.from(notBefore), Date.from(notAfter), new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeUri)));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(signer.cert()));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      return sign(b, signer.key(), signer.cert().getPublicKey());
    } catch (CertIOException | java.security.NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot build a workload certificate", e);
    }
  }

  /**
   * A serving certificate for a control plane endpoint (the CA's own gRPC port): DNS and IP SANs
   * so clients verify it like any TLS server, EKU serverAuth only, not a CA.
   */
  static X509Certificate serving(PublicKey subjectKey, java.util.List<String> dnsNames, java.util.List<String> ips,
      SigningMaterial signer, Instant notBefore, Instant notAfter) {
    try {
      var ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
          signer.cert(), serial(), Date.from(notBefore), Date.from(notAfter), new X500Name("O=meshwork,CN=meshwork-control"), subjectKey);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      var names = new java.util.ArrayList<GeneralName>();
      dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
      ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(signer.cert()));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
      return sign(b, signer.key(), signer.cert().getPublicKey());
    } catch (CertIOException | java.security.NoSuchAlgorithmException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot build a serving certificate", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key, PublicKey signerPublic) {
    try {
      var signer = new JcaContentSignerBuilder(KeyAlgorithm.signatureAlgorithmFor(signerPublic)).build(key);
      return Pem.toX509(b.build(signer).getEncoded());
    } catch (OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot sign a certificate", e);
    }
  }

  /** A random positive 127-bit serial number (RFC 5280 allows up to 20 octets). */
  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }
}
