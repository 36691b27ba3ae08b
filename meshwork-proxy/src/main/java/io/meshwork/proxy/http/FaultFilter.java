package io.meshwork.proxy.http;

import io.meshwork.proxy.config.FaultConfig;
import io.meshwork.proxy.config.RequestHead;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The decisions of {@code envoy.filters.http.fault} for one request: whether to delay (and for how
 * long) and whether to abort (and with which status). Pure functions of the config, the request
 * headers and a random draw; {@link Exchange} applies them (flags DI and FI).
 */
final class FaultFilter {
  static final String DELAY_HEADER = "x-envoy-fault-delay-request";
  static final String DELAY_PERCENT_HEADER = "x-envoy-fault-delay-request-percentage";
  static final String ABORT_HEADER = "x-envoy-fault-abort-request";
  static final String ABORT_PERCENT_HEADER = "x-envoy-fault-abort-request-percentage";

  private FaultFilter() {}

  static boolean applies(FaultConfig f, RequestHead head) {
    for (var h : f.headers()) {
      if (!h.matches(head)) {
        return false;
      }
    }
    return true;
  }

  /** Milliseconds to delay, or -1 for no delay. */
  static long delayMillis(FaultConfig f, RequestHead head) {
    if (f.delayMillis() < 0) {
      return -1;
    }
    long value = f.delayMillis() > 0 ? f.delayMillis() : parse(head.header(DELAY_HEADER), 0, Long.MAX_VALUE);
    if (value < 0 || !sample(f.delayNumerator(), f.delayDenominator(), head.header(DELAY_PERCENT_HEADER))) {
      return -1;
    }
    return value;
  }

  /** The status to abort with, or -1 for no abort. */
  static int abortStatus(FaultConfig f, RequestHead head) {
    if (f.abortStatus() < 0) {
      return -1;
    }
    int status = f.abortStatus() > 0 ? f.abortStatus() : (int) parse(head.header(ABORT_HEADER), 200, 599);
    if (status < 0 || !sample(f.abortNumerator(), f.abortDenominator(), head.header(ABORT_PERCENT_HEADER))) {
      return -1;
    }
    return status;
  }

  /** A header may lower the configured share (same denominator), never raise it. */
  private static boolean sample(int numerator, int denominator, String headerNumerator) {
    int n = numerator;
    long fromHeader = parse(headerNumerator, 0, Integer.MAX_VALUE);
    if (fromHeader >= 0) {
      n = (int) Math.min(n, fromHeader);
    }
    return n >= denominator || (n > 0 && ThreadLocalRandom.current().nextInt(denominator) < n);
  }

  private static long parse(String value, long min, long max) {
    if (value == null) {
      return -1;
    }
    try {
      long v = Long.parseLong(value.strip());
      return v < min || v > max ? -1 : v;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
