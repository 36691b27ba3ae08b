package io.meshwork.proxy.config;

import java.time.Duration;

/**
 * A cluster's passive health checking (Envoy's {@code outlier_detection}): a host returning
 * {@code consecutive5xx} 5xx responses in a row (or {@code consecutiveGatewayFailure} 502/503/504
 * or local connect failures/resets in a row) is ejected for {@code baseEjectionTime} times the
 * number of times it has been ejected, capped at {@code maxEjectionTime}, as long as no more than
 * {@code maxEjectionPercent} of the hosts are ejected (at least one host may always be ejected).
 * {@code enforcing*} are the percentages of detections that actually eject. {@code interval} is
 * Envoy's sweep period: ejected hosts are checked for un-ejection only at a sweep, and every sweep
 * that finds a host not ejected lowers its ejection-time multiplier by one, so a host that stays
 * healthy is forgiven its past ejections.
 */
public record OutlierDetection(int consecutive5xx, int consecutiveGatewayFailure, int enforcingConsecutive5xx,
    int enforcingConsecutiveGatewayFailure, Duration baseEjectionTime, Duration maxEjectionTime,
    int maxEjectionPercent, Duration interval) {
  /** Envoy's default {@code interval}. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  public OutlierDetection {
    if (interval == null || interval.isNegative() || interval.isZero()) {
      interval = DEFAULT_INTERVAL;
    }
  }

  /** With Envoy's default interval (10 s). */
  public OutlierDetection(int consecutive5xx, int consecutiveGatewayFailure, int enforcingConsecutive5xx,
      int enforcingConsecutiveGatewayFailure, Duration baseEjectionTime, Duration maxEjectionTime,
      int maxEjectionPercent) {
    this(consecutive5xx, consecutiveGatewayFailure, enforcingConsecutive5xx, enforcingConsecutiveGatewayFailure,
        baseEjectionTime, maxEjectionTime, maxEjectionPercent, DEFAULT_INTERVAL);
  }
}
