package io.meshwork.proxy.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;

/**
 * What the proxy needs from an {@link SSLEngine} that {@code javax.net.ssl} does not give for both
 * providers: setting and reading an SNI name with underscores (Istio's
 * {@code outbound_.PORT_.SUBSET_.HOST}), and whether a handshake resumed a session.
 *
 * <p>With BoringSSL (netty-tcnative) these go to the native {@code SSL*} directly: BoringSSL
 * accepts any name for SNI, while the JDK's {@link SNIHostName} refuses underscores (it applies
 * the STD3 host-name rules). With the JDK the SNI is set only when {@link SNIHostName} accepts it.
 */
public final class EngineAccess {
  private EngineAccess() {}

  /**
   * Sets {@code name} as the SNI of a client engine.
   *
   * @return whether it was set (false: the JDK refused the name, and the handshake goes without SNI)
   */
  public static boolean setSni(SSLEngine engine, String name) {
    if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
      SSL.setTlsExtHostName(openssl.sslPointer(), name);
      return true;
    }
    try {
      var params = engine.getSSLParameters();
      params.setServerNames(List.of(new SNIHostName(name.getBytes(StandardCharsets.US_ASCII))));
      engine.setSSLParameters(params);
      return true;
    } catch (IllegalArgumentException refused) {
      return false;
    }
  }

  /** The SNI the client sent to a server engine, or "" (read natively for BoringSSL, so underscores survive). */
  public static String sni(SSLEngine engine) {
    if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
      var n = SSL.getSniHostname(openssl.sslPointer());
      return n == null ? "" : n;
    }
    if (engine.getSession() instanceof ExtendedSSLSession ext) {
      try {
        for (var n : ext.getRequestedServerNames()) {
          if (n instanceof SNIHostName h) {
            return h.getAsciiName();
          }
        }
      } catch (UnsupportedOperationException | IllegalArgumentException ignored) {
        // provider without SNI reporting
      }
    }
    return "";
  }

  /**
   * Whether the completed handshake of {@code engine} resumed an earlier session. BoringSSL says so
   * ({@code SSL_session_reused}); the JDK has no such call, but a resumed session (from its cache or
   * a ticket) keeps the creation time of the session it resumes, so a session created before this
   * connection's handshake started is a resumed one.
   *
   * @param handshakeStartMillis when the connection was accepted (wall clock, milliseconds)
   */
  public static boolean resumed(SSLEngine engine, long handshakeStartMillis) {
    if (engine instanceof ReferenceCountedOpenSslEngine openssl) {
      return SSL.isSessionReused(openssl.sslPointer());
    }
    return engine.getSession().getCreationTime() < handshakeStartMillis;
  }
}
