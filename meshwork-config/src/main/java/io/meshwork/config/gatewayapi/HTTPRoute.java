package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * gateway.networking.k8s.io HTTPRoute: HTTP routing rules attached to Gateways (ingress) or to
 * Services (mesh routing, GAMMA). Meshwork translates it to the same route model as a
 * VirtualService.
 *
 * @param parentRefs the Gateways or Services the route attaches to
 * @param hostnames matched against the Host header; all hosts of the parent when empty
 * @param rules evaluated by Gateway API's precedence (most specific match first)
 */
public record HTTPRoute(
    @MaxItems(32) List<ParentReference> parentRefs,
    @MaxItems(16) List<@MinLength(1) @MaxLength(253) @Pattern(Names.HOSTNAME) String> hostnames,
    @MaxItems(16) List<HTTPRouteRule> rules) implements Validatable {

  /**
   * A backend of a rule: a Service (by default) with a port, its share of traffic by weight, and
   * filters applied only when this backend is picked.
   *
   * @param weight relative share, 1 when absent; 0 sends nothing
   */
  public record HTTPBackendRef(
      @MaxLength(253) @Pattern(Names.GROUP) String group,
      @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name,
      @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace,
      @Min(1) @Max(65535) Integer port,
      @Min(0) @Max(1000000) Integer weight,
      @MaxItems(16) List<HTTPRouteFilter> filters) implements Validatable {

    public int effectiveWeight() {
      return weight == null ? 1 : weight;
    }

    @Override
    public void validate(Validation v) {
      BackendRefs.requirePort(v, group, kind, port);
      RouteRules.checkFilterRepeats(v, filters);
    }
  }

  @Override
  public void validate(Validation v) {
    RouteRules.checkParentRefs(v, parentRefs);
    int matches = 0;
    for (var r : rules) {
      matches += r.matches().size();
    }
    if (matches > 128) {
      v.invalid(v.at("rules"), List.of(),
          "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128");
    }
    RouteRules.checkRuleNames(v, rules.stream().map(HTTPRouteRule::name).toList());
  }
}
