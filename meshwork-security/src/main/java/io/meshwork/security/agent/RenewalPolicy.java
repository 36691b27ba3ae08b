package io.meshwork.security.agent;

import java.time.Duration;
import java.time.Instant;

/**
 * When to renew and how to retry. A certificate is renewed at {@code fraction} of its lifetime
 * (half, as Istio's agent does) moved by up to {@code jitter} of the lifetime either way, so
 * proxies started together do not all hit the CA in the same second. A failed renewal is retried
 * with exponential backoff from {@code minRetry} to {@code maxRetry}; the remaining half of the
 * lifetime is the margin that lets the CA be down for a while without any certificate expiring.
 *
 * @param fraction the point of the lifetime at which to renew, in (0, 1)
 * @param jitter the largest shift either way, as a fraction of the lifetime, in [0, fraction)
 * @param minRetry the first retry delay
 * @param maxRetry the longest retry delay
 */
public record RenewalPolicy(double fraction, double jitter, Duration minRetry, Duration maxRetry) {
  public RenewalPolicy {
    if (!(fraction > 0 && fraction < 1) || !(jitter >= 0 && jitter < Math.min(fraction, 1 - fraction))) {
      throw new IllegalArgumentException("renewal fraction must be in (0,1) and jitter smaller than the distance to either end");
    }
  }

  /** Renew at 50% of the lifetime ± 5%, retry from 1 s up to 1 min. */
  public static RenewalPolicy defaults() {
    return new RenewalPolicy(0.5, 0.05, Duration.ofSeconds(1), Duration.ofMinutes(1));
  }

  /**
   * When to renew a certificate valid from {@code notBefore} to {@code notAfter}.
   *
   * @param u a uniform random number in [-1, 1] (injected so the math is testable)
   */
  public Instant renewAt(Instant notBefore, Instant notAfter, double u) {
    if (u < -1 || u > 1) {
      throw new IllegalArgumentException("u must be in [-1, 1]");
    }
    long lifetimeMs = Duration.between(notBefore, notAfter).toMillis();
    double at = (fraction + u * jitter) * lifetimeMs;
    return notBefore.plusMillis(Math.round(at));
  }

  /** The delay before retry {@code attempt} (1 for the first retry): doubling, capped at {@code maxRetry}. */
  public Duration retryDelay(int attempt) {
    long ms = minRetry.toMillis();
    for (int i = 1; i < attempt && ms < maxRetry.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, maxRetry.toMillis()));
  }
}
