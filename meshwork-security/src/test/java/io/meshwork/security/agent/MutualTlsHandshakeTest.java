package io.meshwork.security.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CallerCredential;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.CsrSigner;
import io.meshwork.security.ca.IdentityVerifiers;
import io.meshwork.security.ca.JoinTokens;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificates the CA issues and the agent installs work for mutual TLS 1.3 with the JDK's
 * TLS stack: both sides see each other's SPIFFE identity, and a peer from another CA is refused.
 */
class MutualTlsHandshakeTest {
  @TempDir Path tmp;

  private static WorkloadCredentials credentials(CertificateAuthority ca, JoinTokens tokens, String ns, String sa, KeyAlgorithm alg)
      throws Exception {
    var token = tokens.issue(ns, sa, null, null);
    var signer = new CsrSigner(IdentityVerifiers.byType(Map.of(CallerCredential.JOIN_TOKEN, tokens)), ca);
    var keys = alg.generate();
    var issued = signer.sign(new CallerCredential(CallerCredential.JOIN_TOKEN, token), CsrBuilder.pem(CsrBuilder.build(keys, SpiffeId.of(ns, sa))), null);
    return new WorkloadCredentials(keys.getPrivate(), issued.chain(), issued.trustBundle());
  }

  private static SSLContext context(WorkloadCredentials c) throws Exception {
    var ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("workload", c.key(), new char[0], c.chain().toArray(new X509Certificate[0]));
    var kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(ks, new char[0]);
    var ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    for (int i = 0; i < c.trustBundle().size(); i++) {
      ts.setCertificateEntry("root" + i, c.trustBundle().get(i));
    }
    var tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    var ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Handshakes and returns {server's view of the client, client's view of the server}. */
  private static SpiffeId[] handshake(WorkloadCredentials server, WorkloadCredentials client) throws Exception {
    try (var ss = (SSLServerSocket) context(server).getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ss.setNeedClientAuth(true);
      ss.setSoTimeout(20_000);
      var accepted = CompletableFuture.supplyAsync(() -> {
        try (var s = (SSLSocket) ss.accept()) {
          s.setSoTimeout(20_000);
          s.startHandshake();
          var peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
          s.getOutputStream().write(1);
          s.getOutputStream().flush();
          return SpiffeId.fromCertificate(peer).orElseThrow();
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      SpiffeId serverId;
      try (var s = (SSLSocket) context(client).getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
        s.setSoTimeout(20_000);
        s.startHandshake();
        assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        serverId = SpiffeId.fromCertificate((X509Certificate) s.getSession().getPeerCertificates()[0]).orElseThrow();
        assertThat(s.getInputStream().read()).isEqualTo(1);
      }
      // Close the client first: a TLS 1.3 server's close waits for the peer's close_notify.
      return new SpiffeId[] {accepted.get(30, TimeUnit.SECONDS), serverId};
    }
  }

  @Test
  void workloadsAuthenticateEachOther() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("ca"), CaOptions.defaults(), Clock.systemUTC());
    var tokens = JoinTokens.open(tmp.resolve("ca"), "cluster.local", Clock.systemUTC());
    var server = credentials(ca, tokens, "default", "reviews", KeyAlgorithm.EC_P256);
    var client = credentials(ca, tokens, "default", "productpage", KeyAlgorithm.RSA_2048);
    var ids = handshake(server, client);
    assertThat(ids[0]).isEqualTo(SpiffeId.of("default", "productpage"));
    assertThat(ids[1]).isEqualTo(SpiffeId.of("default", "reviews"));
  }

  @Test
  void aPeerFromAnotherCaIsRefused() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("ca"), CaOptions.defaults(), Clock.systemUTC());
    var tokens = JoinTokens.open(tmp.resolve("ca"), "cluster.local", Clock.systemUTC());
    var rogueCa = CertificateAuthority.selfSigned(tmp.resolve("rogue"), CaOptions.defaults(), Clock.systemUTC());
    var rogueTokens = JoinTokens.open(tmp.resolve("rogue"), "cluster.local", Clock.systemUTC());
    var server = credentials(ca, tokens, "default", "reviews", KeyAlgorithm.EC_P256);
    var rogue = credentials(rogueCa, rogueTokens, "default", "productpage", KeyAlgorithm.EC_P256);
    assertThatThrownBy(() -> handshake(server, rogue)).isInstanceOf(Exception.class);
  }

  @Test
  void certificatesFromBothRootsInterworkDuringARotation() throws Exception {
    var clock = Clock.systemUTC();
    var ca = CertificateAuthority.selfSigned(tmp.resolve("ca"), CaOptions.defaults(), clock);
    var tokens = JoinTokens.open(tmp.resolve("ca"), "cluster.local", clock);
    ca.stageNewRoot();
    var oldRootWorkload = credentials(ca, tokens, "default", "reviews", KeyAlgorithm.EC_P256);
    ca.activateStagedRoot(Duration.ofHours(48));
    var newRootWorkload = credentials(ca, tokens, "default", "productpage", KeyAlgorithm.EC_P256);
    assertThat(oldRootWorkload.leaf().getIssuerX500Principal()).isEqualTo(newRootWorkload.leaf().getIssuerX500Principal());
    assertThat(handshake(oldRootWorkload, newRootWorkload)[0]).isEqualTo(SpiffeId.of("default", "productpage"));
    assertThat(handshake(newRootWorkload, oldRootWorkload)[0]).isEqualTo(SpiffeId.of("default", "reviews"));
  }
}
