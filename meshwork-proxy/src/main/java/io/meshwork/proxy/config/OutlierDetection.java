package io.meshwork.proxy.config;

import java.time.Duration;

/**
 * A cluster's passive health checking (Envoy's {@code outlier_detection}): a host returning
 * {@code consecutive5xx} 5xx responses in a row (or {@code consecutiveGatewayFailure} 502/503/504
 * or local connect failures/resets in a row) is ejected for {@code baseEjectionTime} times the
 * number of times it has been ejected, capped at {@code maxEjectionTime}, as long as no more than
 * {@code maxEjectionPercent} of the hosts are ejected (at least one host may always be ejected).
 * {@code enforcing*} are the percentages of detections that actually eject.
 */
public record OutlierDetection(int consecutive5xx, int consecutiveGatewayFailure, int enforcingConsecutive5xx,
    int enforcingConsecutiveGatewayFailure, Duration baseEjectionTime, Duration maxEjectionTime,
    int maxEjectionPercent) {}
