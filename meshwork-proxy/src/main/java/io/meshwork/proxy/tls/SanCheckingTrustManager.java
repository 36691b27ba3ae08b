package io.meshwork.proxy.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies a server's chain against the given roots (PKIX, or the JDK's default trust store
 * when there are none), then requires one of the expected subject alternative names (URI or
 * DNS, exact), as Envoy's {@code match_typed_subject_alt_names}. It runs inside the handshake, so
 * a server with the wrong identity is refused before any request byte is sent: a sidecar that
 * expects {@code spiffe://cluster.local/ns/default/sa/reviews} will not talk to a server certified
 * as anything else, even by the same CA.
 */
final class SanCheckingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager delegate;
  private final List<String> expected;

  SanCheckingTrustManager(X509Certificate[] roots, List<String> expected) {
    this.expected = List.copyOf(expected);
    try {
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (roots == null) {
        tmf.init((KeyStore) null);
      } else {
        var ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < roots.length; i++) {
          ks.setCertificateEntry("root-" + i, roots[i]);
        }
        tmf.init(ks);
      }
      X509ExtendedTrustManager found = null;
      for (var tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          found = x;
        }
      }
      if (found == null) {
        throw new IllegalStateException("no X509 trust manager available");
      }
      this.delegate = found;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  private void checkSan(X509Certificate[] chain) throws CertificateException {
    if (expected.isEmpty()) {
      return;
    }
    var names = chain[0].getSubjectAlternativeNames();
    if (names != null) {
      for (var n : names) {
        int type = (Integer) n.get(0);
        if ((type == 6 || type == 2) && expected.contains(String.valueOf(n.get(1)))) {
          return;
        }
      }
    }
    throw new CertificateException("the server's certificate does not carry an expected subject alternative name "
        + expected + " (got " + describe(chain[0]) + ")");
  }

  private static String describe(X509Certificate c) {
    try {
      var names = c.getSubjectAlternativeNames();
      return names == null ? "none" : names.stream().map(n -> String.valueOf(n.get(1))).toList().toString();
    } catch (CertificateParsingException e) {
      return "unreadable";
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, engine);
    checkSan(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkServerTrusted(chain, authType, socket);
    checkSan(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkServerTrusted(chain, authType);
    checkSan(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    delegate.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    delegate.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
