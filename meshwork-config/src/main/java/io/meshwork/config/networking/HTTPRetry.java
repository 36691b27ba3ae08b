package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.Set;

/**
 * Retry policy of an HTTP route: how many attempts, how long each may take, on which failures
 * ({@code retryOn}: Envoy's conditions or HTTP status codes, comma-separated), and how hosts and
 * localities are chosen for retries.
 */
public record HTTPRetry(
    int attempts,
    @MinDuration("1ms") Duration perTryTimeout,
    String retryOn,
    Boolean retryRemoteLocalities,
    Boolean retryIgnorePreviousHosts,
    @MinDuration("1ms") Duration backoff) implements Validatable {

  /** Envoy's retry conditions for HTTP and gRPC that Istio accepts in {@code retryOn}. */
  static final Set<String> POLICIES = Set.of("5xx", "gateway-error", "reset", "reset-before-request", "connect-failure",
      "envoy-ratelimited", "retriable-4xx", "refused-stream", "retriable-status-codes", "retriable-headers",
      "http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  /** The HTTP status codes Go's net/http names (Istio accepts exactly these in {@code retryOn}). */
  static final Set<Integer> KNOWN_STATUS = Set.of(100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
      300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414,
      415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508,
      510, 511);

  @Override
  public void validate(Validation v) {
    if (attempts < 0) {
      v.invalid("attempts", attempts, "attempts cannot be negative");
    }
    if (attempts == 0 && (perTryTimeout != null || (retryOn != null && !retryOn.isEmpty()) || retryRemoteLocalities != null)) {
      v.invalidObject("http retry policy configured when attempts are set to 0 (disabled)");
    }
    NetRules.checkDuration(v, "perTryTimeout", perTryTimeout);
    if (retryOn != null && !retryOn.isEmpty()) {
      for (var policy : retryOn.split(",", -1)) {
        if (!POLICIES.contains(policy) && !isKnownStatus(policy)) {
          v.invalid("retryOn", retryOn, "\"" + policy + "\" is not a valid retryOn policy");
        }
      }
    }
  }

  private static boolean isKnownStatus(String s) {
    if (s.isEmpty() || s.length() > 3 || !s.chars().allMatch(Character::isDigit)) {
      return false;
    }
    return KNOWN_STATUS.contains(Integer.parseInt(s));
  }
}
