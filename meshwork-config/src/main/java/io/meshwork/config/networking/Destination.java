package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** Where traffic goes: a service host, optionally one subset of a DestinationRule and a port. */
public record Destination(@Required String host, String subset, PortSelector port) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (host.equals("*")) {
      v.invalid("host", host, "invalid destination host *: name a service");
    } else {
      var err = HostRules.checkWildcardDomain(host);
      if (err != null) {
        v.invalid("host", host, err);
      }
    }
    if (subset != null) {
      if (subset.isEmpty()) {
        v.invalid("subset", subset, "subset name cannot be empty");
      } else if (!HostRules.isDns1123Label(subset)) {
        v.invalid("subset", subset, "subset name is invalid: " + subset);
      }
    }
  }
}
