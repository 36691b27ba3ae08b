package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** The port of a Sidecar listener. */
public record SidecarPort(@Port Integer number, String protocol, String name, @Port Integer targetPort) implements Validatable {
  @Override
  public void validate(Validation v) {
    NetRules.checkProtocol(v, v.at("protocol"), protocol);
  }
}
