package io.meshwork.security.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.security.Openssl;
import io.meshwork.security.TestClock;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  private static final Clock CLOCK = Clock.systemUTC();
  @TempDir Path tmp;

  private static List<String> uriSans(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream().filter(l -> (Integer) l.get(0) == 6).map(l -> (String) l.get(1)).toList();
  }

  @Test
  void issuedCertificatePassesOpenssl() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("state"), CaOptions.defaults(), CLOCK);
    var keys = KeyAlgorithm.EC_P256.generate();
    var id = SpiffeId.of("default", "reviews");
    var issued = ca.sign(CsrBuilder.build(keys, id), id, null);

    Files.writeString(tmp.resolve("root.pem"), Pem.encode(issued.root()));
    Files.writeString(tmp.resolve("chain.pem"), issued.chainPem());
    var text = Openssl.ok(tmp, "x509", "-in", "chain.pem", "-noout", "-text");
    assertThat(text).contains("URI:spiffe://cluster.local/ns/default/sa/reviews")
        .contains("Digital Signature, Key Encipherment")
        .contains("TLS Web Server Authentication, TLS Web Client Authentication")
        .contains("CA:FALSE")
        .contains("prime256v1");
    assertThat(Openssl.ok(tmp, "verify", "-CAfile", "root.pem", "chain.pem")).contains("chain.pem: OK");

    var leaf = issued.leaf();
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofHours(24));
    var root = issued.root();
    assertThat(Duration.between(root.getNotBefore().toInstant(), root.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(3650));
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(root.getSubjectX500Principal().getName()).isEqualTo("O=cluster.local");
    assertThat(SpiffeId.fromCertificate(leaf)).contains(id);
    assertThat(SpiffeId.fromCertificate(root)).isEmpty();
  }

  @Test
  void rsaWorkloadKeysAndRsaRootWork() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("state"), CaOptions.defaults().withRootKeyAlgorithm(KeyAlgorithm.RSA_2048), CLOCK);
    var keys = KeyAlgorithm.RSA_2048.generate();
    var id = SpiffeId.of("shop", "cart");
    var issued = ca.sign(CsrBuilder.build(keys, id), id, Duration.ofHours(1));
    Files.writeString(tmp.resolve("root.pem"), Pem.encode(issued.root()));
    Files.writeString(tmp.resolve("chain.pem"), issued.chainPem());
    assertThat(Openssl.ok(tmp, "x509", "-in", "chain.pem", "-noout", "-text")).contains("Public-Key: (2048 bit)").contains("sha256WithRSAEncryption");
    assertThat(Openssl.ok(tmp, "verify", "-CAfile", "root.pem", "chain.pem")).contains("OK");
    var leaf = issued.leaf();
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void forgedCsrSansAreIgnored() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("state"), CaOptions.defaults(), CLOCK);
    var keys = KeyAlgorithm.EC_P256.generate();
    var forged = CsrBuilder.build(keys, "spiffe://cluster.local/ns/istio-system/sa/istiod", "spiffe://evil/ns/a/sa/b");
    var proven = SpiffeId.of("default", "sleep");
    var leaf = ca.sign(forged, proven, null).leaf();
    assertThat(uriSans(leaf)).containsExactly("spiffe://cluster.local/ns/default/sa/sleep");
    assertThat(leaf.getSubjectX500Principal().getName()).isEmpty();
    assertThat(leaf.getPublicKey()).isEqualTo(keys.getPublic());
  }

  @Test
  void csrSignedWithAnotherKeyIsRejected() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("state"), CaOptions.defaults(), CLOCK);
    var a = KeyAlgorithm.EC_P256.generate();
    var b = KeyAlgorithm.EC_P256.generate();
    var good = CsrBuilder.build(a, SpiffeId.of("x", "y"));
    // Graft b's public key onto a's signature: the proof of possession fails.
    var info = good.toASN1Structure().getCertificationRequestInfo();
    var tampered = new org.bouncycastle.pkcs.PKCS10CertificationRequest(new org.bouncycastle.asn1.pkcs.CertificationRequest(
        new org.bouncycastle.asn1.pkcs.CertificationRequestInfo(info.getSubject(),
            org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(b.getPublic().getEncoded()), info.getAttributes()),
        good.getSignatureAlgorithm(), good.toASN1Structure().getSignature()));
    assertThatThrownBy(() -> ca.sign(tampered, SpiffeId.of("x", "y"), null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signature does not verify");
    assertThatThrownBy(() -> ca.sign(good, new SpiffeId("other.domain", "x", "y"), null)).hasMessageContaining("trust domain");
  }

  @Test
  void ttlIsCappedAtTheMaximum() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("state"), CaOptions.defaults(), CLOCK);
    var keys = KeyAlgorithm.EC_P256.generate();
    var leaf = ca.sign(CsrBuilder.build(keys, SpiffeId.of("a", "b")), SpiffeId.of("a", "b"), Duration.ofDays(1000)).leaf();
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void rootIsPersistedPrivatelyAndReused() throws Exception {
    var state = tmp.resolve("state");
    var first = CertificateAuthority.selfSigned(state, CaOptions.defaults(), CLOCK);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("root-key.pem")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("root-cert.pem")))).isEqualTo("rw-------");
    assertThat(Files.list(state).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("root-cert.pem", "root-key.pem");

    var second = CertificateAuthority.selfSigned(state, CaOptions.defaults(), CLOCK);
    assertThat(second.root()).isEqualTo(first.root());
    // A certificate signed after the restart still chains to the original root.
    var keys = KeyAlgorithm.EC_P256.generate();
    var issued = second.sign(CsrBuilder.build(keys, SpiffeId.of("a", "b")), SpiffeId.of("a", "b"), null);
    issued.leaf().verify(first.root().getPublicKey());
  }

  @Test
  void halfAStateDirectoryIsAClearError() throws Exception {
    var state = tmp.resolve("state");
    CertificateAuthority.selfSigned(state, CaOptions.defaults(), CLOCK);
    Files.delete(state.resolve("root-key.pem"));
    assertThatThrownBy(() -> CertificateAuthority.selfSigned(state, CaOptions.defaults(), CLOCK))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("root-cert.pem but not root-key.pem");
  }

  @Test
  void pluggedInCaFromOpensslFiles() throws Exception {
    var dir = Files.createDirectory(tmp.resolve("cacerts"));
    Openssl.ok(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "root-key.pem");
    Openssl.ok(dir, "req", "-x509", "-new", "-key", "root-key.pem", "-subj", "/O=Corp Root", "-days", "3650", "-out", "root-cert.pem",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    Openssl.ok(dir, "genrsa", "-traditional", "-out", "ca-key.pem", "2048");
    Openssl.ok(dir, "req", "-new", "-key", "ca-key.pem", "-subj", "/O=Mesh Intermediate", "-out", "ca.csr");
    Files.writeString(dir.resolve("ext.cnf"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    Openssl.ok(dir, "x509", "-req", "-in", "ca.csr", "-CA", "root-cert.pem", "-CAkey", "root-key.pem", "-CAcreateserial", "-days", "365",
        "-out", "ca-cert.pem", "-extfile", "ext.cnf");
    Files.writeString(dir.resolve("cert-chain.pem"), Files.readString(dir.resolve("ca-cert.pem")) + Files.readString(dir.resolve("root-cert.pem")));
    assertThat(Files.readString(dir.resolve("ca-key.pem"))).contains("BEGIN RSA PRIVATE KEY");

    var ca = CertificateAuthority.plugIn(dir, CaOptions.defaults(), CLOCK);
    var keys = KeyAlgorithm.EC_P256.generate();
    var id = SpiffeId.of("default", "web");
    var issued = ca.sign(CsrBuilder.build(keys, id), id, null);
    assertThat(issued.chain()).hasSize(2);
    assertThat(issued.root().getSubjectX500Principal().getName()).isEqualTo("O=Corp Root");
    Files.writeString(tmp.resolve("chain.pem"), issued.chainPem());
    Files.writeString(tmp.resolve("leaf.pem"), Pem.encode(issued.leaf()));
    Files.writeString(tmp.resolve("inter.pem"), Pem.encode(issued.chain().get(1)));
    assertThat(Openssl.ok(tmp, "verify", "-CAfile", "cacerts/root-cert.pem", "-untrusted", "inter.pem", "leaf.pem")).contains("leaf.pem: OK");
    assertThat(Openssl.run(tmp, "verify", "-CAfile", "cacerts/root-cert.pem", "leaf.pem").exit()).isNotZero();
    // Valid 24 h but capped by nothing: the intermediate lives a year.
    assertThat(Openssl.ok(tmp, "x509", "-in", "leaf.pem", "-noout", "-ext", "subjectAltName")).contains("URI:spiffe://cluster.local/ns/default/sa/web");
  }

  @Test
  void pluggedInCaWithAMismatchedKeyIsRejected() throws Exception {
    var dir = Files.createDirectory(tmp.resolve("cacerts"));
    Openssl.ok(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "root-key.pem");
    Openssl.ok(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other-key.pem");
    Openssl.ok(dir, "req", "-x509", "-new", "-key", "root-key.pem", "-subj", "/O=Root", "-days", "30", "-out", "root-cert.pem",
        "-addext", "basicConstraints=critical,CA:TRUE");
    assertThatThrownBy(() -> CertificateAuthority.plugIn(dir.resolve("root-cert.pem"), dir.resolve("other-key.pem"), null,
        dir.resolve("root-cert.pem"), CaOptions.defaults(), CLOCK)).hasMessageContaining("other-key.pem does not belong to");
    assertThatThrownBy(() -> CertificateAuthority.plugIn(dir.resolve("missing.pem"), dir.resolve("root-key.pem"), null,
        dir.resolve("root-cert.pem"), CaOptions.defaults(), CLOCK)).hasMessageContaining("missing.pem does not exist");
  }

  @Test
  void rootRotationStagesThenActivatesWithAnOverlap() throws Exception {
    var state = tmp.resolve("state");
    var now = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    var ca = CertificateAuthority.selfSigned(state, CaOptions.defaults(), now);
    var oldRoot = ca.root();
    var keys = KeyAlgorithm.EC_P256.generate();
    var id = SpiffeId.of("a", "b");
    var oldLeaf = ca.sign(CsrBuilder.build(keys, id), id, null);
    assertThatThrownBy(() -> ca.activateStagedRoot(Duration.ofHours(48))).hasMessageContaining("no root is staged");

    // Step 1: the new root is trusted everywhere before it signs anything.
    var newRoot = ca.stageNewRoot();
    assertThat(ca.root()).isEqualTo(oldRoot);
    var duringStage = ca.sign(CsrBuilder.build(keys, id), id, null);
    duringStage.leaf().verify(oldRoot.getPublicKey());
    assertThat(duringStage.trustBundle()).containsExactly(oldRoot, newRoot);
    assertThatThrownBy(ca::stageNewRoot).hasMessageContaining("already staged");
    var restartedStaged = CertificateAuthority.selfSigned(state, CaOptions.defaults(), now);
    assertThat(restartedStaged.root()).isEqualTo(oldRoot);
    assertThat(restartedStaged.trustBundle().certificates(now.instant())).containsExactly(oldRoot, newRoot);

    // Step 2: the new root signs; the old one stays trusted for the overlap.
    ca.activateStagedRoot(Duration.ofHours(48));
    assertThat(ca.root()).isEqualTo(newRoot);
    var newLeaf = ca.sign(CsrBuilder.build(keys, id), id, null);
    newLeaf.leaf().verify(newRoot.getPublicKey());
    assertThat(newLeaf.trustBundle()).containsExactly(newRoot, oldRoot);
    oldLeaf.leaf().verify(newLeaf.trustBundle().get(1).getPublicKey());
    assertThatThrownBy(ca::stageNewRoot).hasMessageContaining("overlap");
    assertThat(Files.exists(state.resolve("staged-root-key.pem"))).isFalse();

    // A restart during the overlap keeps both; after it, only the new root.
    var restarted = CertificateAuthority.selfSigned(state, CaOptions.defaults(), now);
    assertThat(restarted.root()).isEqualTo(newRoot);
    assertThat(restarted.trustBundle().certificates(now.instant())).containsExactly(newRoot, oldRoot);
    assertThat(Pem.certificates(restarted.trustBundle().pem(now.instant()))).containsExactly(newRoot, oldRoot);
    now.set(Instant.parse("2026-01-03T00:00:01Z"));
    assertThat(restarted.trustBundle().certificates(now.instant())).containsExactly(newRoot);
    assertThat(CertificateAuthority.selfSigned(state, CaOptions.defaults(), now).trustBundle().certificates(now.instant())).containsExactly(newRoot);
    assertThat(restarted.sign(CsrBuilder.build(keys, id), id, null).trustBundle()).containsExactly(newRoot);
  }
}
