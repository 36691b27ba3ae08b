package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;

/**
 * Ejects endpoints that keep failing from the load-balancing pool for a while.
 * {@code consecutiveErrors} is the deprecated form of {@code consecutive5xxErrors}.
 */
public record OutlierDetection(
    Boolean splitExternalLocalOriginErrors,
    @Min(0) Integer consecutiveLocalOriginFailures,
    @Min(0) Integer consecutiveGatewayErrors,
    @Min(0) Integer consecutive5xxErrors,
    @MinDuration("1ms") Duration interval,
    @MinDuration("1ms") Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent,
    Integer consecutiveErrors) implements Validatable {

  @Override
  public void validate(Validation v) {
    if (consecutiveErrors != null && consecutiveErrors < 0) {
      v.invalid("consecutiveErrors", consecutiveErrors, "outlier detection consecutive errors cannot be negative");
    }
    if (maxEjectionPercent != null && (maxEjectionPercent < 0 || maxEjectionPercent > 100)) {
      v.invalid("maxEjectionPercent", maxEjectionPercent, "max ejection percent must be in range [0, 100]");
    }
    if (minHealthPercent != null && (minHealthPercent < 0 || minHealthPercent > 100)) {
      v.invalid("minHealthPercent", minHealthPercent, "minimum health percent must be in range [0, 100]");
    }
    if (consecutiveLocalOriginFailures != null && !Boolean.TRUE.equals(splitExternalLocalOriginErrors)) {
      v.invalid("consecutiveLocalOriginFailures", consecutiveLocalOriginFailures,
          "consecutiveLocalOriginFailures only applies when splitExternalLocalOriginErrors is true");
    }
  }
}
