package io.meshwork.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.stats.Stats;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The three Envoy buckets a failed server handshake is counted in (the end-to-end test drives real clients). */
class HandshakeFailuresTest {
  static SSLHandshakeException handshake(String message, Throwable cause) {
    var e = new SSLHandshakeException(message);
    e.initCause(cause);
    return e;
  }

  @Test
  void certificateProblemsAreVerifyErrors() {
    assertThat(HandshakeFailures.classify(handshake("x", new CertificateExpiredException("NotAfter: ..."))))
        .isEqualTo(HandshakeFailures.Kind.VERIFY);
    assertThat(HandshakeFailures.classify(handshake("error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED", null)))
        .isEqualTo(HandshakeFailures.Kind.VERIFY);
  }

  @Test
  void aMissingClientCertificateIsNoCert() {
    assertThat(HandshakeFailures.classify(handshake("error:...:PEER_DID_NOT_RETURN_A_CERTIFICATE", null)))
        .isEqualTo(HandshakeFailures.Kind.NO_CERT);
    assertThat(HandshakeFailures.classify(handshake("Empty client certificate chain", null))).isEqualTo(HandshakeFailures.Kind.NO_CERT);
  }

  @Test
  void anythingElseIsAConnectionError() {
    assertThat(HandshakeFailures.classify(new io.netty.handler.ssl.NotSslRecordException("not an SSL/TLS record")))
        .isEqualTo(HandshakeFailures.Kind.OTHER);
    assertThat(HandshakeFailures.classify(new java.nio.channels.ClosedChannelException())).isEqualTo(HandshakeFailures.Kind.OTHER);
  }

  @Test
  void countsUnderTheListenersPrefix() {
    var stats = new Stats();
    var failures = new HandshakeFailures(stats, "listener.127.0.0.1_8443.ssl.");
    failures.count(handshake("x", new CertificateExpiredException()));
    failures.count(new java.nio.channels.ClosedChannelException());
    assertThat(stats.value("listener.127.0.0.1_8443.ssl.fail_verify_error")).isEqualTo(1);
    assertThat(stats.value("listener.127.0.0.1_8443.ssl.connection_error")).isEqualTo(1);
    assertThat(stats.value("listener.127.0.0.1_8443.ssl.fail_verify_no_cert")).isZero();
  }
}
