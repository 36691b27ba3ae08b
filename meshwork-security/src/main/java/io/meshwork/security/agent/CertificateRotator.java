package io.meshwork.security.agent;

import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a workload's certificate fresh. Each round generates a new key pair (the private key
 * stays in this process), sends a CSR through the {@link CertificateTransport}, checks that the
 * returned leaf certifies <em>this</em> key, hands the key and chain to the listener, and
 * schedules the next round per the {@link RenewalPolicy}. A failed round is retried with backoff;
 * the current credentials stay in use meanwhile, so a CA outage shorter than half a lifetime is
 * invisible to traffic. The listener swaps TLS contexts for new connections only, so rotation
 * never drops an established connection.
 */
public final class CertificateRotator {
  private static final Logger LOG = Logger.getLogger(CertificateRotator.class.getName());

  private final SpiffeId identity;
  private final KeyAlgorithm algorithm;
  private final Duration ttl;
  private final CertificateTransport transport;
  private final Consumer<WorkloadCredentials> listener;
  private final Scheduler scheduler;
  private final Clock clock;
  private final RenewalPolicy policy;
  private final DoubleSupplier jitter;
  private volatile WorkloadCredentials current;
  private Scheduler.Cancellable next;
  private int failures;
  private boolean stopped;

  private CertificateRotator(Builder b) {
    this.identity = Objects.requireNonNull(b.identity, "identity");
    this.algorithm = b.algorithm;
    this.ttl = b.ttl;
    this.transport = Objects.requireNonNull(b.transport, "transport");
    this.listener = Objects.requireNonNull(b.listener, "listener");
    this.scheduler = Objects.requireNonNull(b.scheduler, "scheduler");
    this.clock = b.clock;
    this.policy = b.policy;
    this.jitter = b.jitter;
  }

  /** Starts a builder for the identity the agent expects to be certified as. */
  public static Builder builder(SpiffeId identity) {
    return new Builder(identity);
  }

  /** Schedules the first round immediately. */
  public synchronized void start() {
    next = scheduler.schedule(this::renew, Duration.ZERO);
  }

  /** Cancels the next round. */
  public synchronized void stop() {
    stopped = true;
    if (next != null) {
      next.cancel();
    }
  }

  /** The credentials in use, or null before the first success. */
  public WorkloadCredentials current() {
    return current;
  }

  /** One round: renew now, then schedule the next round (or a retry). Public so the proxy can force a renewal. */
  public synchronized void renew() {
    if (stopped) {
      return;
    }
    Duration delay;
    try {
      var creds = fetch();
      current = creds;
      failures = 0;
      listener.accept(creds);
      var leaf = creds.leaf();
      var at = policy.renewAt(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), jitter.getAsDouble());
      delay = nonNegative(Duration.between(clock.instant(), at));
    } catch (Exception e) {
      failures++;
      delay = policy.retryDelay(failures);
      LOG.log(Level.WARNING, "certificate renewal for " + identity + " failed (attempt " + failures + "), retrying in " + delay + ": " + e.getMessage());
    }
    next = scheduler.schedule(this::renew, delay);
  }

  /**
   * Installs a new trust bundle between renewals (the control plane pushes it when a root is
   * staged or retired): the listener gets the same key and chain with the new roots.
   *
   * @return false when there are no credentials yet (the bundle arrives with the first certificate)
   */
  public synchronized boolean updateTrustBundle(java.util.List<java.security.cert.X509Certificate> roots) {
    var c = current;
    if (c == null || stopped) {
      return false;
    }
    var updated = new WorkloadCredentials(c.key(), c.chain(), roots);
    current = updated;
    listener.accept(updated);
    return true;
  }

  /** Consecutive failed rounds since the last success. */
  public synchronized int failures() {
    return failures;
  }

  private WorkloadCredentials fetch() throws Exception {
    KeyPair keys = algorithm.generate();
    var csr = CsrBuilder.pem(CsrBuilder.build(keys, identity));
    var signed = transport.requestCertificate(csr, ttl);
    var leaf = signed.chain().getFirst();
    if (!leaf.getPublicKey().equals(keys.getPublic())) {
      throw new IllegalStateException("the CA returned a certificate for a different key; refusing to install it");
    }
    var now = clock.instant();
    if (!leaf.getNotAfter().toInstant().isAfter(now)) {
      throw new IllegalStateException("the CA returned a certificate that expired at " + leaf.getNotAfter().toInstant());
    }
    // A TLS server presents leaf and intermediates; a root the CA appended is trusted, not presented.
    var chain = signed.chain().stream().filter(c -> c.equals(leaf) || !signed.trustBundle().contains(c)).toList();
    return new WorkloadCredentials(keys.getPrivate(), chain, signed.trustBundle());
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Configures a rotator; everything but the identity, transport, listener and scheduler has a default. */
  public static final class Builder {
    private final SpiffeId identity;
    private KeyAlgorithm algorithm = KeyAlgorithm.EC_P256;
    private Duration ttl = Duration.ofHours(24);
    private CertificateTransport transport;
    private Consumer<WorkloadCredentials> listener;
    private Scheduler scheduler;
    private Clock clock = Clock.systemUTC();
    private RenewalPolicy policy = RenewalPolicy.defaults();
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble(-1, 1);

    private Builder(SpiffeId identity) {
      this.identity = identity;
    }

    public Builder keyAlgorithm(KeyAlgorithm a) {
      this.algorithm = a;
      return this;
    }

    public Builder ttl(Duration d) {
      this.ttl = d;
      return this;
    }

    public Builder transport(CertificateTransport t) {
      this.transport = t;
      return this;
    }

    /** Receives every new key and chain (the proxy rebuilds its TLS contexts there). */
    public Builder listener(Consumer<WorkloadCredentials> l) {
      this.listener = l;
      return this;
    }

    public Builder scheduler(Scheduler s) {
      this.scheduler = s;
      return this;
    }

    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    public Builder policy(RenewalPolicy p) {
      this.policy = p;
      return this;
    }

    /** The source of the jitter factor in [-1, 1]; tests pin it. */
    public Builder jitter(DoubleSupplier j) {
      this.jitter = j;
      return this;
    }

    public CertificateRotator build() {
      return new CertificateRotator(this);
    }
  }
}
