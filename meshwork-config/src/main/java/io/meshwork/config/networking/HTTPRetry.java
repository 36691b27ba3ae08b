package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.Set;

/** Retry policy of an HTTP route: how often, how long each try may take, and on which failures. */
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

  @Override
  public void validate(Validation v) {
    if (attempts < 0) {
      v.invalid("attempts", attempts, "attempts cannot be negative");
    }
    if (retryOn != null && !retryOn.isEmpty()) {
      for (var raw : retryOn.split(",", -1)) {
        var policy = raw.strip();
        if (!POLICIES.contains(policy) && !isStatusCode(policy)) {
          v.invalid("retryOn", retryOn, "\"" + policy + "\" is not a valid retryOn policy; use Envoy conditions such as 5xx, connect-failure, reset or an HTTP status code");
        }
      }
    }
  }

  private static boolean isStatusCode(String s) {
    if (s.length() != 3 || !s.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int n = Integer.parseInt(s);
    return n >= 100 && n <= 599;
  }
}
