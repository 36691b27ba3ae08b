package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** One weighted destination of a TCP or TLS route. Weights are relative. */
public record RouteDestination(@Required Destination destination, int weight) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (weight < 0) {
      v.invalid("weight", weight, "weight " + weight + " < 0");
    }
  }
}
