package io.meshwork.proxy.config;

import java.util.List;

/**
 * {@code envoy.filters.http.fault}: delay and/or abort a share of the requests that match
 * {@code headers}. A fixed delay/status is used unless the fault is header-controlled, in which case
 * {@code x-envoy-fault-delay-request} (milliseconds) and {@code x-envoy-fault-abort-request} (status)
 * supply it, and the {@code -percentage} headers may lower (never raise) the configured share.
 * A share is {@code numerator / denominator} (Envoy's FractionalPercent); {@code delayMillis < 0}
 * or {@code abortStatus < 0} mean "no such fault", 0 means "from the header".
 */
public record FaultConfig(List<HeaderMatcher> headers, long delayMillis, int delayNumerator, int delayDenominator,
    int abortStatus, int abortNumerator, int abortDenominator) implements HttpFilterConfig {}
