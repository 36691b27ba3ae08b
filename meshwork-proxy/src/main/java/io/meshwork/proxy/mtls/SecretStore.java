package io.meshwork.proxy.mtls;

import io.meshwork.security.agent.WorkloadCredentials;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's SDS secrets, in process: {@code default} (the workload key and chain) and
 * {@code ROOTCA} (the trust bundle), as the agent last received them. Each update bumps a
 * generation; TLS contexts are cached per generation, so a rotation affects new connections only
 * and established ones keep their session.
 */
public final class SecretStore {
  /** The SDS name of the workload certificate. */
  public static final String DEFAULT = "default";
  /** The SDS name of the mesh roots. */
  public static final String ROOTCA = "ROOTCA";

  private volatile Versioned current;
  private volatile boolean requested;
  private final CountDownLatch first = new CountDownLatch(1);

  /**
   * Credentials with the generation they were installed at.
   *
   * @param generation increases with every update
   * @param credentials key, chain and trust bundle
   * @param installedAt when this generation was installed (the admin {@code /config_dump}'s {@code last_updated})
   */
  public record Versioned(long generation, WorkloadCredentials credentials, java.time.Instant installedAt) {
    /** Credentials installed now. */
    public Versioned(long generation, WorkloadCredentials credentials) {
      this(generation, credentials, java.time.Instant.now());
    }
  }

  /**
   * Records that an agent asked for this store's certificate, so that until it arrives the admin
   * {@code /config_dump} shows {@code default} and {@code ROOTCA} as warming rather than absent.
   */
  public void markRequested() {
    requested = true;
  }

  /** Whether an agent fills this store (see {@link #markRequested()}). */
  public boolean requested() {
    return requested || current != null;
  }

  /** Installs new credentials (the agent's rotator calls this). */
  public synchronized void update(WorkloadCredentials credentials) {
    var c = current;
    current = new Versioned(c == null ? 1 : c.generation() + 1, credentials);
    first.countDown();
  }

  /** The current credentials, or null before the first certificate. */
  public Versioned current() {
    return current;
  }

  /** Waits for the first certificate; false on timeout. */
  public boolean awaitFirst(Duration timeout) throws InterruptedException {
    return first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
