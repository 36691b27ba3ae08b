package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** A port of a ServiceEntry: number, protocol, unique name and the endpoints' port. */
public record ServicePort(@Required @Port Integer number, String protocol, @Required String name, @Port Integer targetPort)
    implements Validatable {
  @Override
  public void validate(Validation v) {
    if (!NetRules.isDns1123Label(name)) {
      v.invalid("name", name, "invalid port name: it must be a DNS-1123 label (lowercase letters, digits and '-')");
    }
    NetRules.checkProtocol(v, v.at("protocol"), protocol);
  }
}
