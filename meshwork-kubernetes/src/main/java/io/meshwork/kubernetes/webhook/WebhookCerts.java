package io.meshwork.kubernetes.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The webhook's serving certificate. The API server checks it against the webhook
 * configuration's {@code caBundle} and the Service's DNS name
 * ({@code meshwork-control.meshwork-system.svc}), so unlike workload certificates (SPIFFE URI
 * only) it carries DNS names. It is signed with the mesh CA's root key, so the caBundle is the
 * mesh root.
 */
public final class WebhookCerts {
  private WebhookCerts() {}

  /** A serving key and certificate chain (leaf, CA). */
  public record Serving(PrivateKey key, List<X509Certificate> chain) {
    public SSLContext sslContext() {
      try {
        var ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        var pw = new char[0];
        ks.setKeyEntry("webhook", key, pw, chain.toArray(X509Certificate[]::new));
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        var ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot build the webhook's TLS context", e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  public static Serving issue(PrivateKey caKey, X509Certificate caCert, List<String> dnsNames, Duration ttl) {
    try {
      var gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = gen.generateKeyPair();
      var now = Instant.now();
      var names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
      var b = new JcaX509v3CertificateBuilder(caCert, new BigInteger(128, new SecureRandom()), Date.from(now.minusSeconds(60)),
          Date.from(now.plus(ttl)), new X500Name("CN=" + dnsNames.getFirst()), keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      var alg = caKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      var cert = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(caKey)));
      return new Serving(keys.getPrivate(), List.of(cert, caCert));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue the webhook certificate", e);
    }
  }
}
