package io.meshwork.proxy.tls;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.security.cert.CertificateException;
import java.security.cert.CertPathValidatorException;
import java.util.Locale;

/**
 * Envoy's per-listener counters for server handshakes that fail (issue 12: hostile TLS clients must
 * be visible, not only refused): {@code listener.<addr>_<port>.ssl.fail_verify_no_cert} (a client
 * certificate was required and none came), {@code ssl.fail_verify_error} (the client's chain did not
 * verify: another CA, expired, not yet valid) and {@code ssl.connection_error} (everything else: not
 * TLS at all, no common protocol or cipher, a broken record). Counted where the handshake's outcome
 * is published ({@code PeerIdentityHandler}); the counters are looked up only when a handshake fails.
 */
public final class HandshakeFailures {
  /** What went wrong, in Envoy's three buckets. */
  public enum Kind {
    NO_CERT("fail_verify_no_cert"), VERIFY("fail_verify_error"), OTHER("connection_error");

    final String stat;

    Kind(String stat) {
      this.stat = stat;
    }
  }

  private final Stats stats;
  private final String prefix;

  HandshakeFailures(Stats stats, String prefix) {
    this.stats = stats;
    this.prefix = prefix;
  }

  /** Counts one failed handshake of this listener. */
  public void count(Throwable cause) {
    counter(classify(cause)).inc();
  }

  Counter counter(Kind kind) {
    return stats.counter(prefix + kind.stat);
  }

  /**
   * Classifies by the cause chain: the JDK reports certificate problems as {@link CertificateException}
   * or {@link CertPathValidatorException} (also what our trust manager throws under BoringSSL, which
   * then reports its own verify error text), a missing certificate as "empty/null certificate chain"
   * (JDK) or {@code PEER_DID_NOT_RETURN_A_CERTIFICATE} (BoringSSL).
   */
  public static Kind classify(Throwable cause) {
    boolean verify = false;
    for (var t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      var m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("peer_did_not_return_a_certificate") || m.contains("empty client certificate chain")
          || m.contains("null cert chain") || m.contains("empty certificate chain") || m.contains("certificate_required")) {
        return Kind.NO_CERT;
      }
      if (t instanceof CertificateException || t instanceof CertPathValidatorException || m.contains("certificate_verify_failed")
          || m.contains("certificate has expired") || m.contains("certificate_expired") || m.contains("unable to find valid certification path")
          || m.contains("certificate_unknown") || m.contains("bad_certificate")) {
        verify = true;
      }
    }
    return verify ? Kind.VERIFY : Kind.OTHER;
  }
}
