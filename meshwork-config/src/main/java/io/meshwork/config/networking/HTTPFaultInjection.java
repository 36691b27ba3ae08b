package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.Set;

/** Injects delays and/or aborts into a share of an HTTP route's requests (for testing resilience). */
public record HTTPFaultInjection(Delay delay, Abort abort) implements Validatable {

  /**
   * Delays requests: {@code fixedDelay} (or the unsupported {@code exponentialDelay}) for
   * {@code percentage} of them; {@code percent} is the deprecated integer form.
   */
  public record Delay(
      Integer percent, @MinDuration("1ms") Duration fixedDelay, @MinDuration("1ms") Duration exponentialDelay, Percent percentage)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      NetRules.checkIntPercent(v, v.at("percent"), percent);
      NetRules.checkFaultPercentage(v, v.at("percentage"), percentage);
      if (fixedDelay != null && exponentialDelay != null) {
        v.invalidObject("only one of fixedDelay or exponentialDelay can be set");
      }
      NetRules.checkDuration(v, "fixedDelay", fixedDelay);
      if (exponentialDelay != null) {
        v.invalid("exponentialDelay", exponentialDelay.text(), "exponentialDelay not supported yet");
      }
      if (fixedDelay == null && exponentialDelay == null) {
        v.warn(v.path(), "delay configured, but no fixedDelay set: no delay is injected");
      }
    }
  }

  /** Aborts requests with an HTTP status, a gRPC status or an HTTP/2 error (a oneof). */
  public record Abort(Integer httpStatus, String grpcStatus, String http2Error, Percent percentage) implements Validatable {
    /** gRPC status names Istio accepts. */
    static final Set<String> GRPC_STATUS = Set.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
        "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
        "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

    @Override
    public void validate(Validation v) {
      NetRules.checkFaultPercentage(v, v.at("percentage"), percentage);
      int set = (httpStatus != null ? 1 : 0) + (grpcStatus != null ? 1 : 0) + (http2Error != null ? 1 : 0);
      if (set > 1) {
        v.invalidObject("only one of httpStatus, grpcStatus or http2Error can be set");
      } else if (set == 0) {
        v.warn(v.path(), "abort configured, but error type not set");
      }
      if (httpStatus != null && (httpStatus < 200 || httpStatus > 599)) {
        v.invalid("httpStatus", httpStatus, "HTTP status " + httpStatus + " is not in range 200-599");
      }
      if (grpcStatus != null && !GRPC_STATUS.contains(grpcStatus)) {
        v.invalid("grpcStatus", grpcStatus, "gRPC status \"" + grpcStatus
            + "\" is not supported; use a name from https://github.com/grpc/grpc/blob/master/doc/statuscodes.md such as NOT_FOUND");
      }
      if (http2Error != null) {
        v.invalid("http2Error", http2Error, "HTTP/2 abort fault injection not supported yet");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (delay == null && abort == null) {
      v.invalidObject("HTTP fault injection must have an abort and/or a delay");
    }
  }
}
