package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** A port of a ServiceEntry: number, protocol, unique name and the endpoints' port. */
public record ServicePort(@Required @Port Long number, String protocol, @Required String name, @Port Long targetPort)
    implements Validatable {
  @Override
  public void validate(Validation v) {
    NetRules.checkPortName(v, v.at("name"), name);
    NetRules.checkProtocol(v, v.at("protocol"), protocol);
  }
}
