package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;

/** Injects delays and/or aborts into a share of an HTTP route's requests (for testing resilience). */
public record HTTPFaultInjection(Delay delay, Abort abort) implements Validatable {

  /** Delays requests: {@code fixedDelay} for {@code percentage} of them ({@code percent} is the old integer form). */
  public record Delay(
      Integer percent, @MinDuration("1ms") Duration fixedDelay, @MinDuration("1ms") Duration exponentialDelay, Percent percentage)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (percent != null) {
        NetRules.checkPercent(v, v.at("percent"), percent);
      }
      if (fixedDelay != null && exponentialDelay != null) {
        v.invalidObject("only one of fixedDelay or exponentialDelay can be set");
      } else if (exponentialDelay != null) {
        v.invalid("exponentialDelay", exponentialDelay.text(), "exponentialDelay is not supported yet; use fixedDelay");
      } else if (fixedDelay == null) {
        v.required(v.at("fixedDelay"), "a delay must set fixedDelay");
      }
    }
  }

  /** Aborts requests with an HTTP status, a gRPC status or an HTTP/2 error (a oneof). */
  public record Abort(Integer httpStatus, String grpcStatus, String http2Error, Percent percentage) implements Validatable {
    @Override
    public void validate(Validation v) {
      int set = (httpStatus != null ? 1 : 0) + (grpcStatus != null ? 1 : 0) + (http2Error != null ? 1 : 0);
      if (set > 1) {
        v.invalidObject("only one of httpStatus, grpcStatus or http2Error can be set");
      } else if (set == 0) {
        v.invalidObject("an abort must set httpStatus or grpcStatus");
      }
      if (httpStatus != null && (httpStatus < 200 || httpStatus > 599)) {
        v.invalid("httpStatus", httpStatus, "invalid abort http status " + httpStatus + ": must be between 200 and 599");
      }
      if (http2Error != null) {
        v.invalid("http2Error", http2Error, "http2Error is not supported yet; use httpStatus or grpcStatus");
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
