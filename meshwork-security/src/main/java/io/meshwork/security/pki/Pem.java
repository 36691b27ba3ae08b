package io.meshwork.security.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PEM text for certificates, private keys (PKCS#8, PKCS#1 RSA and SEC1 EC are all read, as
 * Istio's {@code cacerts} may hold any of them) and CSRs.
 */
public final class Pem {
  private Pem() {}

  /** Encodes objects (certificates, keys, CSRs) as concatenated PEM blocks. */
  public static String encode(Object... objects) {
    var out = new StringWriter();
    try (var w = new JcaPEMWriter(out)) {
      for (var o : objects) {
        if (o instanceof List<?> list) {
          for (var item : list) {
            write(w, item);
          }
        } else {
          write(w, o);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Private keys are always written as PKCS#8 ({@code PRIVATE KEY}), which every TLS stack reads. */
  private static void write(JcaPEMWriter w, Object o) throws IOException {
    if (o instanceof PrivateKey key) {
      w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
    } else {
      w.writeObject(o);
    }
  }

  /**
   * Every certificate in {@code pem}, in order.
   *
   * @throws IllegalArgumentException when a certificate block cannot be parsed
   */
  public static List<X509Certificate> certificates(String pem) {
    var certs = new ArrayList<X509Certificate>();
    try (var p = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof X509CertificateHolder h) {
          certs.add(toX509(h.getEncoded()));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not valid PEM certificate text: " + e.getMessage(), e);
    }
    return certs;
  }

  /**
   * The first private key in {@code pem}.
   *
   * @throws IllegalArgumentException when there is none or it cannot be read
   */
  public static PrivateKey privateKey(String pem) {
    try (var p = new PEMParser(new StringReader(pem))) {
      Object o;
      var conv = new JcaPEMKeyConverter();
      while ((o = p.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return conv.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return conv.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a readable PEM private key: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no PEM private key found (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY; encrypted keys are not supported)");
  }

  /** The PKCS#10 request in {@code pem}. */
  public static PKCS10CertificationRequest csr(String pem) {
    try (var p = new PEMParser(new StringReader(pem))) {
      if (p.readObject() instanceof PKCS10CertificationRequest csr) {
        return csr;
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a readable PEM certificate request: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no PEM CERTIFICATE REQUEST found");
  }

  /** Parses one DER certificate with the JDK's factory. */
  public static X509Certificate toX509(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
    }
  }
}
