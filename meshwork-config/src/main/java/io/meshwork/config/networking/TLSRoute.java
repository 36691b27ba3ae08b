package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/** A rule for TLS traffic routed by SNI without terminating it: matches (required) and destinations. */
public record TLSRoute(List<TLSMatchAttributes> match, List<RouteDestination> route) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (match.isEmpty()) {
      v.required(v.at("match"), "TLS route must have at least one match condition");
    }
    if (route.isEmpty()) {
      v.required(v.at("route"), "TLS route is required");
    }
    VirtualService.checkTotalWeight(v, route);
  }
}
