package io.meshwork.config.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.List;

/**
 * One HTTPRoute rule: requests matching any of {@code matches} (everything when empty) go through
 * {@code filters} to one of {@code backendRefs} by weight.
 *
 * @param name optional, unique within the route
 * @param timeouts request and per-backend-attempt timeouts
 * @param retry experimental retry policy, kept as written
 * @param sessionPersistence experimental session affinity, kept as written
 */
public record HTTPRouteRule(
    @MinLength(1) @MaxLength(253) @Pattern(Names.SECTION_NAME) String name,
    @MaxItems(64) List<HTTPRouteMatch> matches,
    @MaxItems(16) List<HTTPRouteFilter> filters,
    @MaxItems(16) List<HTTPRoute.HTTPBackendRef> backendRefs,
    Timeouts timeouts,
    JsonNode retry,
    JsonNode sessionPersistence) implements Validatable {

  /**
   * Timeouts in Gateway API's duration format ({@code 10s}, {@code 500ms}, {@code 1h30m}); zero
   * disables.
   *
   * @param request the whole request, retries included
   * @param backendRequest one attempt to a backend, no longer than request
   */
  public record Timeouts(@Pattern(Names.DURATION) String request, @Pattern(Names.DURATION) String backendRequest) implements Validatable {

    public Duration requestTimeout() {
      return request == null ? null : Duration.parse(request);
    }

    public Duration backendRequestTimeout() {
      return backendRequest == null ? null : Duration.parse(backendRequest);
    }

    @Override
    public void validate(Validation v) {
      var req = requestTimeout();
      var backend = backendRequestTimeout();
      if (req != null && backend != null && req.nanos() != 0 && backend.compareTo(req) > 0) {
        v.invalidObject("backendRequest timeout cannot be longer than request timeout");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    RouteRules.checkFilterRepeats(v, filters);
    boolean redirect = filters.stream().anyMatch(f -> f.type() == HTTPRouteFilter.Type.RequestRedirect);
    boolean rewrite = filters.stream().anyMatch(f -> f.type() == HTTPRouteFilter.Type.URLRewrite);
    if (redirect && rewrite) {
      v.invalid(v.at("filters"), List.of(), "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
    }
    boolean prefixReplace = filters.stream().anyMatch(HTTPRouteFilter::replacesPrefixMatch);
    if (prefixReplace) {
      long prefixMatches = matches.stream().filter(m -> m.path() != null && m.path().effectiveType() == HTTPRouteMatch.PathMatchType.PathPrefix).count();
      if (matches.size() != 1 || prefixMatches != 1) {
        v.invalidObject("When using URL Rewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");
      }
    }
  }
}
