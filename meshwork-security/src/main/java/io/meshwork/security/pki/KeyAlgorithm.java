package io.meshwork.security.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;

/**
 * The key types Meshwork issues: ECDSA P-256 by default (small, fast handshakes, Istio's choice
 * for new meshes) and RSA 2048 for peers that need it.
 */
public enum KeyAlgorithm {
  EC_P256("EC", "SHA256withECDSA"),
  RSA_2048("RSA", "SHA256withRSA");

  private final String jcaName;
  private final String signatureAlgorithm;

  KeyAlgorithm(String jcaName, String signatureAlgorithm) {
    this.jcaName = jcaName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  /** The JCA signature algorithm a key of this type signs with. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** Generates a fresh key pair from the platform's strong random source. */
  public KeyPair generate() {
    try {
      var gen = KeyPairGenerator.getInstance(jcaName);
      if (this == EC_P256) {
        gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      } else {
        gen.initialize(2048, new SecureRandom());
      }
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + this + " keys", e);
    }
  }

  /** The signature algorithm for a private key of the same kind as {@code key}. */
  public static String signatureAlgorithmFor(PublicKey key) {
    return key instanceof ECPublicKey ? EC_P256.signatureAlgorithm : RSA_2048.signatureAlgorithm;
  }

  /**
   * Whether {@code key} is strong enough to be certified: an EC key on P-256 or larger, or RSA of
   * at least 2048 bits.
   */
  public static boolean acceptable(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      return ec.getParams().getCurve().getField().getFieldSize() >= 256;
    }
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength() >= 2048;
    }
    return false;
  }
}
