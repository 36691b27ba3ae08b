package io.meshwork.security.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.security.TestClock;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CallerCredential;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.CsrSigner;
import io.meshwork.security.ca.JoinTokens;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRotatorTest {
  @TempDir Path tmp;
  private final TestClock clock = new TestClock(Instant.parse("2026-03-01T00:00:00Z"));
  private final List<Duration> delays = new ArrayList<>();
  private final List<Runnable> tasks = new ArrayList<>();
  private final List<WorkloadCredentials> installed = new ArrayList<>();
  private final Scheduler scheduler = (task, delay) -> {
    delays.add(delay);
    tasks.add(task);
    return () -> tasks.remove(task);
  };
  private CsrSigner signer;
  private String token;

  @BeforeEach
  void ca() throws Exception {
    var ca = CertificateAuthority.selfSigned(tmp.resolve("ca"), CaOptions.defaults(), clock);
    var tokens = JoinTokens.open(tmp.resolve("ca"), "cluster.local", clock);
    token = tokens.issue("default", "reviews", null, null);
    signer = new CsrSigner(tokens, ca);
  }

  private CertificateTransport transport() {
    return (csr, ttl) -> {
      var issued = signer.sign(new CallerCredential(CallerCredential.JOIN_TOKEN, token), csr, ttl);
      return new SignedChain(issued.chainWithRoot(), issued.trustBundle());
    };
  }

  private void runNext() {
    tasks.removeFirst().run();
  }

  @Test
  void renewsAtHalfLifeAndHandsOverANewKeyEachTime() {
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).ttl(Duration.ofMinutes(60))
        .transport(transport()).listener(installed::add).scheduler(scheduler).clock(clock).jitter(() -> 0.0).build();
    rotator.start();
    assertThat(delays).containsExactly(Duration.ZERO);
    runNext();
    assertThat(installed).hasSize(1);
    var first = installed.getFirst();
    assertThat(first.chain()).hasSize(1); // the root the CA appended is trusted, not presented
    assertThat(first.leaf().getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(first.trustBundle()).hasSize(1);
    assertThat(delays.getLast()).isEqualTo(Duration.ofMinutes(30));

    clock.advance(Duration.ofMinutes(30));
    runNext();
    assertThat(installed).hasSize(2);
    assertThat(installed.get(1).key()).isNotEqualTo(first.key());
    assertThat(installed.get(1).leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
    assertThat(rotator.current()).isSameAs(installed.get(1));
    assertThat(delays.getLast()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void jitterMovesTheRenewalWithinTheBand() {
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).ttl(Duration.ofHours(24))
        .keyAlgorithm(KeyAlgorithm.RSA_2048).transport(transport()).listener(installed::add).scheduler(scheduler).clock(clock)
        .jitter(() -> -1.0).build();
    rotator.start();
    runNext();
    assertThat(delays.getLast()).isEqualTo(Duration.ofHours(12).minus(Duration.ofMinutes(72)));
    assertThat(installed.getFirst().leaf().getPublicKey().getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void failuresRetryWithBackoffAndKeepTheCurrentCredentials() {
    var calls = new AtomicInteger();
    var real = transport();
    CertificateTransport flaky = (csr, ttl) -> {
      int n = calls.incrementAndGet();
      if (n == 2 || n == 3) {
        throw new java.io.IOException("CA unavailable");
      }
      return real.requestCertificate(csr, ttl);
    };
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).ttl(Duration.ofMinutes(10))
        .transport(flaky).listener(installed::add).scheduler(scheduler).clock(clock).jitter(() -> 0.0).build();
    rotator.start();
    runNext();
    var first = rotator.current();
    clock.advance(Duration.ofMinutes(5));
    runNext();
    assertThat(rotator.failures()).isEqualTo(1);
    assertThat(delays.getLast()).isEqualTo(Duration.ofSeconds(1));
    assertThat(rotator.current()).isSameAs(first);
    runNext();
    assertThat(delays.getLast()).isEqualTo(Duration.ofSeconds(2));
    runNext();
    assertThat(rotator.failures()).isZero();
    assertThat(installed).hasSize(2);
    assertThat(delays.getLast()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aCertificateForAnotherKeyIsRefused() {
    var other = KeyAlgorithm.EC_P256.generate();
    CertificateTransport wrong = (csr, ttl) -> {
      var issued = signer.sign(new CallerCredential(CallerCredential.JOIN_TOKEN, token), CsrBuilder.pem(CsrBuilder.build(other, "x")), ttl);
      return new SignedChain(issued.chain(), issued.trustBundle());
    };
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).transport(wrong).listener(installed::add)
        .scheduler(scheduler).clock(clock).build();
    rotator.start();
    runNext();
    assertThat(installed).isEmpty();
    assertThat(rotator.failures()).isEqualTo(1);
  }

  @Test
  void trustBundleUpdatesKeepTheKeyAndChain() throws Exception {
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).transport(transport()).listener(installed::add)
        .scheduler(scheduler).clock(clock).build();
    var extraRoot = io.meshwork.security.ca.CertificateAuthority.selfSigned(tmp.resolve("other"), CaOptions.defaults(), clock).root();
    assertThat(rotator.updateTrustBundle(List.of(extraRoot))).isFalse();
    rotator.start();
    runNext();
    var first = rotator.current();
    var bundle = new ArrayList<>(first.trustBundle());
    bundle.add(extraRoot);
    assertThat(rotator.updateTrustBundle(bundle)).isTrue();
    assertThat(installed).hasSize(2);
    assertThat(installed.get(1).key()).isSameAs(first.key());
    assertThat(installed.get(1).chain()).isEqualTo(first.chain());
    assertThat(installed.get(1).trustBundle()).hasSize(2).contains(extraRoot);
  }

  @Test
  void stopCancelsTheNextRound() {
    var rotator = CertificateRotator.builder(SpiffeId.of("default", "reviews")).transport(transport()).listener(installed::add)
        .scheduler(scheduler).clock(clock).build();
    rotator.start();
    runNext();
    assertThat(tasks).hasSize(1);
    rotator.stop();
    assertThat(tasks).isEmpty();
  }
}
