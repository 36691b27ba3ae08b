package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** A port a Gateway server or Sidecar listener accepts on: number, protocol and name. */
public record Port(@Required @io.meshwork.config.schema.Constraints.Port Integer number, String protocol, String name,
    @io.meshwork.config.schema.Constraints.Port Integer targetPort) implements Validatable {
  @Override
  public void validate(Validation v) {
    NetRules.checkProtocol(v, v.at("protocol"), protocol);
  }
}
