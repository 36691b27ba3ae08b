package io.meshwork.config.kube;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a Secret's PEM before the store accepts it, so a bad certificate is refused at apply time
 * with the field named, not later by every gateway that loads it. Keys must be PKCS#8
 * ({@code BEGIN PRIVATE KEY}), which is what the proxy's TLS stack loads without extra providers.
 * Messages never include key material.
 */
final class PemCheck {
  private static final Pattern KEY = Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([^-]*)-----END \\1PRIVATE KEY-----");

  /** A problem and the Secret key it is about. */
  record Problem(String field, String detail) {}

  private PemCheck() {}

  /** Null when {@code chainPem} holds certificates and {@code keyPem} the private key of the first. */
  static Problem certificateAndKey(String chainPem, String keyPem) {
    return certificateAndKey(chainPem, keyPem, Secret.CERT, Secret.KEY);
  }

  /** As {@link #certificateAndKey(String, String)}, naming the Secret's keys {@code certField} and {@code keyField} (Istio's generic form: cert, key). */
  static Problem certificateAndKey(String chainPem, String keyPem, String certField, String keyField) {
    List<X509Certificate> chain;
    try {
      chain = parse(chainPem);
    } catch (CertificateException e) {
      return new Problem(certField, "is not a PEM certificate chain (" + safe(e) + ")");
    }
    if (chain.isEmpty()) {
      return new Problem(certField, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    var m = KEY.matcher(keyPem);
    if (!m.find()) {
      return new Problem(keyField, "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    if (!m.group(1).isEmpty()) {
      return new Problem(keyField, "is a " + m.group(1).trim() + " key; convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2).trim());
    } catch (IllegalArgumentException e) {
      return new Problem(keyField, "is not valid PEM (its base64 body cannot be decoded)");
    }
    var cert = chain.getFirst();
    var algorithm = cert.getPublicKey().getAlgorithm();
    PrivateKey key;
    try {
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      return new Problem(keyField, "is not a PKCS#8 " + algorithm + " private key matching " + certField + "'s " + algorithm + " public key");
    }
    if (!matches(key, cert)) {
      return new Problem(keyField, "does not match the first certificate of " + certField + " (" + cert.getSubjectX500Principal().getName()
          + "); give the key that certificate was issued for");
    }
    return null;
  }

  /** Null when {@code pem} holds at least one certificate, else the problem. */
  static String certificates(String pem) {
    try {
      return parse(pem).isEmpty() ? "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" : null;
    } catch (CertificateException e) {
      return "is not a PEM certificate bundle (" + safe(e) + ")";
    }
  }

  private static List<X509Certificate> parse(String pem) throws CertificateException {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      return List.of();
    }
    var out = new ArrayList<X509Certificate>();
    for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  /** Signs with the key and verifies with the certificate: the key belongs to it. */
  private static boolean matches(PrivateKey key, X509Certificate cert) {
    var alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> "RSASSA-PSS";
      default -> key.getAlgorithm(); // Ed25519, Ed448
    };
    try {
      var data = new byte[32];
      new SecureRandom().nextBytes(data);
      var s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(data);
      var sig = s.sign();
      var verify = Signature.getInstance(alg);
      verify.initVerify(cert.getPublicKey());
      verify.update(data);
      return verify.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String safe(Exception e) {
    var m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.length() > 120 ? m.substring(0, 120) : m;
  }
}
