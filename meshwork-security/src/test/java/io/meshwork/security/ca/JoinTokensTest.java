package io.meshwork.security.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoinTokensTest {
  @TempDir Path tmp;

  private static CallerCredential cred(String token) {
    return new CallerCredential(CallerCredential.JOIN_TOKEN, token);
  }

  @Test
  void issueWritesAPrivateFileAndStoresOnlyTheHash() throws Exception {
    var tokens = JoinTokens.open(tmp.resolve("state"), "cluster.local", Clock.systemUTC());
    var file = tmp.resolve("agent/token");
    var token = tokens.issue("default", "reviews", null, file);
    assertThat(token).startsWith(JoinTokens.PREFIX).hasSizeGreaterThan(40);
    assertThat(Files.readString(file).strip()).isEqualTo(token);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    var store = tmp.resolve("state/join-tokens");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
    assertThat(Files.readString(store)).doesNotContain(token).contains(JoinTokens.hash(token)).contains("default reviews");
    assertThat(tokens.verify(cred(Files.readString(file)))).isEqualTo(SpiffeId.of("default", "reviews"));
  }

  @Test
  void tokensAreBoundToTheirWorkloadAndSurviveRestart() throws Exception {
    var state = tmp.resolve("state");
    var tokens = JoinTokens.open(state, "cluster.local", Clock.systemUTC());
    var a = tokens.issue("ns1", "sa1", null, null);
    var b = tokens.issue("ns2", "sa2", null, null);
    assertThat(a).isNotEqualTo(b);
    var reopened = JoinTokens.open(state, "cluster.local", Clock.systemUTC());
    assertThat(reopened.verify(cred(a))).isEqualTo(SpiffeId.of("ns1", "sa1"));
    assertThat(reopened.verify(cred(b))).isEqualTo(SpiffeId.of("ns2", "sa2"));
    assertThatThrownBy(() -> reopened.verify(cred(a + "x"))).isInstanceOf(AuthenticationException.class).hasMessageContaining("unknown or revoked");
    assertThatThrownBy(() -> reopened.verify(new CallerCredential(CallerCredential.KUBERNETES_TOKEN, a)))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("join tokens only");
  }

  @Test
  void revokeAndExpire() throws Exception {
    var clock = new io.meshwork.security.TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    var tokens = JoinTokens.open(tmp.resolve("state"), "cluster.local", clock);
    var t1 = tokens.issue("ns", "sa", null, null);
    var t2 = tokens.issue("ns", "sa", null, null);
    var t3 = tokens.issue("ns", "other", Duration.ofHours(1), null);
    assertThat(tokens.revoke(t1)).isTrue();
    assertThat(tokens.revoke(t1)).isFalse();
    assertThatThrownBy(() -> tokens.verify(cred(t1))).isInstanceOf(AuthenticationException.class);
    assertThat(tokens.verify(cred(t2))).isEqualTo(SpiffeId.of("ns", "sa"));
    assertThat(tokens.revokeAll("ns", "sa")).isEqualTo(1);
    assertThatThrownBy(() -> tokens.verify(cred(t2))).isInstanceOf(AuthenticationException.class);
    // revocation is persisted
    assertThatThrownBy(() -> JoinTokens.open(tmp.resolve("state"), "cluster.local", clock).verify(cred(t2))).isInstanceOf(AuthenticationException.class);

    assertThat(tokens.verify(cred(t3))).isEqualTo(SpiffeId.of("ns", "other"));
    clock.set(Instant.parse("2026-01-01T01:00:00Z"));
    assertThatThrownBy(() -> tokens.verify(cred(t3))).isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
  }

  @Test
  void csrSignerCertifiesOnlyTheTokensIdentity() throws Exception {
    var state = tmp.resolve("state");
    var ca = CertificateAuthority.selfSigned(state, CaOptions.defaults(), Clock.systemUTC());
    var tokens = JoinTokens.open(state, "cluster.local", Clock.systemUTC());
    var token = tokens.issue("default", "ratings", null, null);
    var signer = new CsrSigner(tokens, ca);
    var keys = KeyAlgorithm.EC_P256.generate();
    var csr = CsrBuilder.pem(CsrBuilder.build(keys, SpiffeId.of("istio-system", "istiod")));
    var issued = signer.sign(cred(token), csr, null);
    assertThat(issued.leaf().getSubjectAlternativeNames().iterator().next().get(1)).isEqualTo("spiffe://cluster.local/ns/default/sa/ratings");
    assertThatThrownBy(() -> signer.sign(cred("mwjt_nope"), csr, null)).isInstanceOf(AuthenticationException.class);
  }
}
