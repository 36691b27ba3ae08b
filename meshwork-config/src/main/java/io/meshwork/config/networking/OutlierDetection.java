package io.meshwork.config.networking;

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
    @Min(0) Long consecutiveLocalOriginFailures,
    @Min(0) Long consecutiveGatewayErrors,
    @Min(0) Long consecutive5xxErrors,
    @MinDuration("1ms") Duration interval,
    @MinDuration("1ms") Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent,
    Integer consecutiveErrors) implements Validatable {

  @Override
  public void validate(Validation v) {
    NetRules.checkDuration(v, "baseEjectionTime", baseEjectionTime);
    NetRules.checkDuration(v, "interval", interval);
    if (consecutiveErrors != null && consecutiveErrors != 0) {
      v.warn(v.at("consecutiveErrors"), "outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead");
    }
    if (!Boolean.TRUE.equals(splitExternalLocalOriginErrors) && consecutiveLocalOriginFailures != null && consecutiveLocalOriginFailures > 0) {
      v.invalid("consecutiveLocalOriginFailures", consecutiveLocalOriginFailures,
          "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
    }
    NetRules.checkIntPercent(v, v.at("maxEjectionPercent"), maxEjectionPercent);
    NetRules.checkIntPercent(v, v.at("minHealthPercent"), minHealthPercent);
  }
}
