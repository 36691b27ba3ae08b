package io.meshwork.proxy.config;

import java.time.Duration;
import java.util.Set;

/**
 * A route's retry policy. {@code retryOn} holds Envoy's condition names (5xx, gateway-error, reset,
 * connect-failure, retriable-4xx, refused-stream, retriable-status-codes, and the gRPC ones cancelled,
 * deadline-exceeded, internal, resource-exhausted, unavailable). Backoff is Envoy's: fully jittered
 * exponential from {@code baseInterval}, capped at {@code maxInterval}.
 */
public record RetryPolicy(Set<String> retryOn, int numRetries, Duration perTryTimeout, Duration baseInterval,
    Duration maxInterval, Set<Integer> retriableStatusCodes) {
  public static final RetryPolicy NONE = new RetryPolicy(Set.of(), 0, Duration.ZERO, Duration.ofMillis(25),
      Duration.ofMillis(250), Set.of());

  /** Whether a response with this status should be retried. */
  public boolean retriesStatus(int status) {
    if (retryOn.contains("5xx") && status >= 500) {
      return true;
    }
    if (retryOn.contains("gateway-error") && (status == 502 || status == 503 || status == 504)) {
      return true;
    }
    if (retryOn.contains("retriable-4xx") && status == 409) {
      return true;
    }
    return retryOn.contains("retriable-status-codes") && retriableStatusCodes.contains(status);
  }

  /**
   * Whether a response head carrying this {@code grpc-status} (null when absent) should be retried.
   * As in Envoy, only the status in the response headers counts (a trailers-only answer): a status
   * in trailers arrives after the body was forwarded, when a retry is no longer possible.
   */
  public boolean retriesGrpcStatus(String grpcStatus) {
    if (grpcStatus == null || grpcStatus.isEmpty()) {
      return false;
    }
    return switch (grpcStatus.strip()) {
      case "1" -> retryOn.contains("cancelled");
      case "4" -> retryOn.contains("deadline-exceeded");
      case "8" -> retryOn.contains("resource-exhausted");
      case "13" -> retryOn.contains("internal");
      case "14" -> retryOn.contains("unavailable");
      default -> false;
    };
  }

  /** Whether a failure before response headers should be retried; Envoy treats a per-try timeout as a 504. */
  public boolean retriesFailure(boolean connectFailure, boolean perTryTimeout) {
    return retriesFailure(connectFailure, perTryTimeout, false);
  }

  /**
   * Like {@link #retriesFailure(boolean, boolean)}; {@code refusedStream}: the upstream reset the HTTP/2
   * stream with REFUSED_STREAM, which says it did not process the request and which {@code refused-stream}
   * retries (as do 5xx and reset, which cover every reset).
   */
  public boolean retriesFailure(boolean connectFailure, boolean perTryTimeout, boolean refusedStream) {
    if (refusedStream && retryOn.contains("refused-stream")) {
      return true;
    }
    if (perTryTimeout) {
      return retryOn.contains("5xx") || retryOn.contains("gateway-error");
    }
    if (retryOn.contains("5xx") || retryOn.contains("gateway-error") || retryOn.contains("reset")) {
      return true;
    }
    return connectFailure && retryOn.contains("connect-failure");
  }

  /** The backoff before retry number {@code attempt} (1-based): uniform in [0, min(max, base * 2^(attempt-1))). */
  public long backoffMillis(int attempt, java.util.random.RandomGenerator random) {
    long base = Math.max(1, baseInterval.toMillis());
    long ceiling = Math.min(maxInterval.toMillis(), base << Math.min(attempt - 1, 20));
    return ceiling <= 1 ? ceiling : random.nextLong(ceiling);
  }
}
