package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.OutlierDetection;
import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Passive health checking for one cluster: counts consecutive 5xx and gateway failures per host from
 * the outcomes the router reports, and ejects a host when a threshold is reached. An ejection lasts
 * {@code base_ejection_time × multiplier} (capped at {@code max_ejection_time}), as in Envoy: the
 * multiplier grows by one per ejection and shrinks by one per {@code interval} sweep that finds the
 * host not ejected, and an ejected host is un-ejected only at a sweep (the first one at or after
 * its ejection time has passed). Sweeps happen at {@code start + k × interval}; rather than run a
 * timer, the detector computes their effect when it needs it: the un-ejection sweep is fixed at
 * ejection time, and the sweeps a host spent healthy are counted at its next ejection.
 */
public final class OutlierDetector {
  private final OutlierDetection config;
  private final List<Host> hosts;
  private final LongSupplier clock;
  private final Counter ejectionsEnforcedTotal;
  private final Counter ejectionsEnforced5xx;
  private final Counter ejectionsEnforcedGateway;
  private final Counter ejectionsDetected5xx;
  private final Counter ejectionsOverflow;
  private final long startNanos;

  OutlierDetector(OutlierDetection config, List<Host> hosts, Stats stats, String cluster, LongSupplier clock) {
    this.config = config;
    this.hosts = hosts;
    this.clock = clock;
    this.startNanos = clock.getAsLong();
    var p = "cluster." + cluster + ".outlier_detection.";
    ejectionsEnforcedTotal = stats.counter(p + "ejections_enforced_total");
    ejectionsEnforced5xx = stats.counter(p + "ejections_enforced_consecutive_5xx");
    ejectionsEnforcedGateway = stats.counter(p + "ejections_enforced_consecutive_gateway_failure");
    ejectionsDetected5xx = stats.counter(p + "ejections_detected_consecutive_5xx");
    ejectionsOverflow = stats.counter(p + "ejections_overflow");
    stats.gauge(p + "ejections_active", this::activeEjections);
  }

  /**
   * Reports the outcome of one attempt: an HTTP status, or 503 for a local connect failure, reset
   * or timeout (Envoy maps local-origin failures to 5xx when they are not split out).
   */
  public void report(Host host, int status) {
    boolean gateway = status == 502 || status == 503 || status == 504;
    if (status < 500) {
      host.consecutive5xx.set(0);
      host.consecutiveGatewayFailures.set(0);
      return;
    }
    int n5xx = host.consecutive5xx.incrementAndGet();
    int nGw = gateway ? host.consecutiveGatewayFailures.incrementAndGet() : 0;
    if (!gateway) {
      host.consecutiveGatewayFailures.set(0);
    }
    if (n5xx >= config.consecutive5xx()) {
      ejectionsDetected5xx.inc();
      if (enforced(config.enforcingConsecutive5xx()) && eject(host)) {
        ejectionsEnforced5xx.inc();
      }
    } else if (gateway && nGw >= config.consecutiveGatewayFailure()
        && enforced(config.enforcingConsecutiveGatewayFailure()) && eject(host)) {
      ejectionsEnforcedGateway.inc();
    }
  }

  private static boolean enforced(int percent) {
    return percent >= 100 || ThreadLocalRandom.current().nextInt(100) < percent;
  }

  private synchronized boolean eject(Host host) {
    long now = clock.getAsLong();
    if (host.ejected(now)) {
      return false;
    }
    int active = activeEjections();
    // At least one host may always be ejected, whatever max_ejection_percent says (as in Envoy).
    if (active > 0 && (active + 1) * 100 > config.maxEjectionPercent() * hosts.size()) {
      ejectionsOverflow.inc();
      return false;
    }
    int previous = host.ejections.getAndIncrement();
    int multiplier = host.ejectionMultiplier;
    if (previous > 0) {
      // Sweeps after the one that un-ejected the host found it healthy: one step down each.
      long healthySweeps = sweepsUpTo(now) - sweepsUpTo(host.ejectedUntilNanos);
      multiplier = (int) Math.max(0, multiplier - Math.max(0, healthySweeps));
    }
    long base = config.baseEjectionTime().toNanos();
    long max = config.maxEjectionTime().toNanos();
    // Envoy stops growing the multiplier once base x multiplier has reached max_ejection_time.
    if (base * (long) multiplier < max) {
      multiplier++;
    }
    host.ejectionMultiplier = multiplier;
    long nanos = Math.min(base * multiplier, max);
    host.ejectedUntilNanos = firstSweepAtOrAfter(now + nanos);
    host.ejected = true;
    host.consecutive5xx.set(0);
    host.consecutiveGatewayFailures.set(0);
    ejectionsEnforcedTotal.inc();
    return true;
  }

  /** How many sweeps happened in (start, t]. */
  private long sweepsUpTo(long t) {
    return Math.floorDiv(t - startNanos, config.interval().toNanos());
  }

  /** The first sweep time at or after {@code t}: when a host whose ejection ends at {@code t} returns. */
  private long firstSweepAtOrAfter(long t) {
    long interval = config.interval().toNanos();
    return startNanos + Math.ceilDiv(t - startNanos, interval) * interval;
  }

  public int activeEjections() {
    long now = clock.getAsLong();
    int n = 0;
    for (var h : hosts) {
      if (h.ejected(now)) {
        n++;
      }
    }
    return n;
  }

  long now() {
    return clock.getAsLong();
  }
}
