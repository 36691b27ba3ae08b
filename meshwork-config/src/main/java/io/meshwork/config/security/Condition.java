package io.meshwork.config.security;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * A {@code when} condition: an Istio attribute ({@code request.headers[x]}, {@code source.ip},
 * {@code request.auth.claims[iss]}, ...) and the values it must (or must not) have.
 */
public record Condition(@Required String key, List<String> values, List<String> notValues) implements Validatable {

  @Override
  public void validate(Validation v) {
    if (key.isEmpty()) {
      v.required(v.at("key"), "a condition needs a key such as request.headers[x-user] or source.ip");
      return;
    }
    var problem = AuthzValues.keyProblem(key);
    if (problem != null) {
      v.invalid(v.at("key"), key, problem);
      return;
    }
    if (values.isEmpty() && notValues.isEmpty()) {
      v.required(v.at("values"), "at least one of values or notValues must be set for key " + key);
      return;
    }
    AuthzValues.condition(v, v.at("values"), key, values);
    AuthzValues.condition(v, v.at("notValues"), key, notValues);
  }
}
