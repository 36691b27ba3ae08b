package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/** A rule for opaque TCP traffic: matches and weighted destinations. */
public record TCPRoute(List<L4MatchAttributes> match, List<RouteDestination> route) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (route.isEmpty()) {
      v.required(v.at("route"), "TCP route is required");
    }
    VirtualService.checkTotalWeight(v, route);
  }
}
