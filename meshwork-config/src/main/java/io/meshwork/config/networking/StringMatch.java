package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** A string condition: exactly one of exact, prefix or regex (RE2, as Envoy evaluates it). */
public record StringMatch(String exact, String prefix, String regex) implements Validatable {
  @Override
  public void validate(Validation v) {
    int set = (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (regex != null ? 1 : 0);
    if (set > 1) {
      v.invalidObject("only one of exact, prefix or regex can be set");
    }
    if (regex != null) {
      if (regex.isEmpty()) {
        v.invalid("regex", regex, "regex string match should not be empty");
      } else {
        var err = NetRules.regexError(regex);
        if (err != null) {
          v.invalid("regex", regex, err);
        }
      }
    }
  }

  boolean isRegex() {
    return regex != null;
  }
}
