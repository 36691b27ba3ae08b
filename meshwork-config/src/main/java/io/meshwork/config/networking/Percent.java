package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** A percentage from 0 to 100 (fractions allowed). */
public record Percent(double value) implements Validatable {
  @Override
  public void validate(Validation v) {
    NetRules.checkPercent(v, v.at("value"), value);
  }
}
