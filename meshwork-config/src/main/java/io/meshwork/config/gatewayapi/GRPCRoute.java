package io.meshwork.config.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
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
 * gateway.networking.k8s.io GRPCRoute: routing of gRPC calls by service and method (and headers),
 * attached to Gateways or Services like an HTTPRoute.
 */
public record GRPCRoute(
    @MaxItems(32) List<ParentReference> parentRefs,
    @MaxItems(16) List<@MinLength(1) @MaxLength(253) @Pattern(Names.HOSTNAME) String> hostnames,
    @MaxItems(16) List<GRPCRouteRule> rules) implements Validatable {

  /** A rule: calls matching any of {@code matches} go through {@code filters} to a weighted backend. */
  public record GRPCRouteRule(
      @MinLength(1) @MaxLength(253) @Pattern(Names.SECTION_NAME) String name,
      @MaxItems(8) List<GRPCRouteMatch> matches,
      @MaxItems(16) List<GRPCRouteFilter> filters,
      @MaxItems(16) List<GRPCBackendRef> backendRefs,
      JsonNode sessionPersistence) implements Validatable {
    @Override
    public void validate(Validation v) {
      RouteRules.checkFilterRepeats(v, filters);
    }
  }

  /** A call match: method and headers. */
  public record GRPCRouteMatch(GRPCMethodMatch method, @MaxItems(16) List<GRPCHeaderMatch> headers) {}

  /** The gRPC service and/or method; Exact when type is absent. */
  public record GRPCMethodMatch(
      HTTPRouteMatch.MatchType type,
      @MaxLength(1024) String service,
      @MaxLength(1024) String method) implements Validatable {
    private static final com.google.re2j.Pattern SERVICE = com.google.re2j.Pattern.compile("(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*");
    private static final com.google.re2j.Pattern METHOD = com.google.re2j.Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");

    @Override
    public void validate(Validation v) {
      if ((service == null || service.isEmpty()) && (method == null || method.isEmpty())) {
        v.invalidObject("One or both of 'service' or 'method' must be specified");
        return;
      }
      if (type == HTTPRouteMatch.MatchType.RegularExpression) {
        if (service != null) {
          regex(v, "service", service);
        }
        if (method != null) {
          regex(v, "method", method);
        }
        return;
      }
      if (service != null && !SERVICE.matches(service)) {
        v.invalidObject("service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)");
      }
      if (method != null && !METHOD.matches(method)) {
        v.invalidObject("method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)");
      }
    }

    private static void regex(Validation v, String field, String value) {
      try {
        com.google.re2j.Pattern.compile(value);
      } catch (com.google.re2j.PatternSyntaxException e) {
        v.invalid(v.at(field), value, "not a valid RE2 regular expression: " + e.getDescription());
      }
    }
  }

  /** A gRPC metadata (header) match. */
  public record GRPCHeaderMatch(
      HTTPRouteMatch.MatchType type,
      @Required @MinLength(1) @MaxLength(256) @Pattern(Names.HEADER_NAME) String name,
      @Required @MinLength(1) @MaxLength(4096) String value) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (type == HTTPRouteMatch.MatchType.RegularExpression) {
        HTTPRouteMatch.checkRegex(v, value);
      }
    }
  }

  /** The filters a GRPCRoute supports. */
  public enum FilterType {
    RequestHeaderModifier,
    ResponseHeaderModifier,
    RequestMirror,
    ExtensionRef
  }

  /** A processing step: {@code type} names the one configuration field that is set. */
  public record GRPCRouteFilter(
      @Required FilterType type,
      HTTPHeaderFilter requestHeaderModifier,
      HTTPHeaderFilter responseHeaderModifier,
      HTTPRouteFilter.HTTPRequestMirrorFilter requestMirror,
      HTTPRouteFilter.LocalObjectReference extensionRef) implements Validatable {
    @Override
    public void validate(Validation v) {
      RouteRules.oneConfig(v, "requestHeaderModifier", FilterType.RequestHeaderModifier, type, requestHeaderModifier);
      RouteRules.oneConfig(v, "responseHeaderModifier", FilterType.ResponseHeaderModifier, type, responseHeaderModifier);
      RouteRules.oneConfig(v, "requestMirror", FilterType.RequestMirror, type, requestMirror);
      RouteRules.oneConfig(v, "extensionRef", FilterType.ExtensionRef, type, extensionRef);
    }
  }

  /** A weighted backend with its own filters. */
  public record GRPCBackendRef(
      @MaxLength(253) @Pattern(Names.GROUP) String group,
      @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name,
      @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace,
      @Min(1) @Max(65535) Integer port,
      @Min(0) @Max(1000000) Integer weight,
      @MaxItems(16) List<GRPCRouteFilter> filters) implements Validatable {

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
    RouteRules.checkRuleNames(v, rules.stream().map(GRPCRouteRule::name).toList());
  }
}
