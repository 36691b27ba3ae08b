package io.meshwork.cli;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** An HTTPS client for gateway tests: any server certificate is accepted, so the test can assert which one it got. */
final class TlsProbe {
  private TlsProbe() {}

  /** Trusts any server; presents {@code keys} (null: no client certificate). */
  static SSLContext trustAll(KeyManager[] keys) throws Exception {
    var ctx = SSLContext.getInstance("TLS");
    ctx.init(keys, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String t) {}
      @Override public void checkServerTrusted(X509Certificate[] c, String t) {}
      @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }}, null);
    return ctx;
  }

  /** One HTTPS request with {@code sni} on a new connection, no client certificate: the server certificate's subject and the response. */
  static String[] exchange(int port, String sni, String path) throws Exception {
    return exchange(trustAll(null), port, sni, path);
  }

  /** As {@link #exchange(int, String, String)} with the given client context. */
  static String[] exchange(SSLContext tls, int port, String sni, String path) throws Exception {
    try (var socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      var params = socket.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(sni)));
      socket.setSSLParameters(params);
      socket.startHandshake();
      var subject = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String[] {subject, new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)};
    }
  }
}
