package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** One weighted destination of an HTTP route, with header changes for its traffic. Weights are relative. */
public record HTTPRouteDestination(@Required Destination destination, int weight, Headers headers) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (weight < 0) {
      v.invalid("weight", weight, "weight " + weight + " < 0");
    }
    NetRules.checkHeaders(v, v.at("headers"), headers);
  }
}
