package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.List;

/**
 * One HTTP rule: matches, and exactly one action (route, redirect, directResponse or delegate),
 * with the route's policies (rewrite, timeout, retries, fault, mirrors, CORS, headers).
 * {@code mirrorPercent} is the deprecated integer form of {@code mirrorPercentage};
 * {@code websocketUpgrade} is a field of Istio's old API, still found in Istio's own samples,
 * accepted and ignored because WebSocket upgrades are always allowed.
 */
public record HTTPRoute(
    String name,
    List<HTTPMatchRequest> match,
    List<HTTPRouteDestination> route,
    HTTPRedirect redirect,
    HTTPDirectResponse directResponse,
    Delegate delegate,
    HTTPRewrite rewrite,
    @MinDuration("1ms") Duration timeout,
    HTTPRetry retries,
    HTTPFaultInjection fault,
    Destination mirror,
    List<HTTPMirrorPolicy> mirrors,
    Integer mirrorPercent,
    Percent mirrorPercentage,
    CorsPolicy corsPolicy,
    Headers headers,
    Boolean websocketUpgrade) implements Validatable {

  @Override
  public void validate(Validation v) {
    checkActions(v);
    if (websocketUpgrade != null) {
      v.warn(v.at("websocketUpgrade"), "websocketUpgrade is obsolete and ignored: WebSocket upgrades are always allowed");
    }
    if (mirror != null && !mirrors.isEmpty()) {
      v.invalidObject("only one of mirror or mirrors can be set");
    }
    if (mirrorPercent != null) {
      if (mirrorPercent > 100) {
        v.invalid("mirrorPercent", mirrorPercent, "mirror_percent must have a max value of 100 (it has " + mirrorPercent + ")");
      } else if (mirrorPercent < 0) {
        v.invalid("mirrorPercent", mirrorPercent, "mirror_percent must have a min value of 0 (it has " + mirrorPercent + ")");
      }
    }
    if (route.size() > 1 && route.stream().mapToLong(HTTPRouteDestination::weight).sum() == 0) {
      v.invalid("route", route, "total destination weight = 0: give at least one destination a positive weight");
    }
  }

  private void checkActions(Validation v) {
    boolean hasRoute = !route.isEmpty();
    if (redirect != null) {
      if (hasRoute) {
        v.invalidObject("HTTP route cannot contain both route and redirect");
      }
      if (fault != null) {
        v.invalidObject("HTTP route cannot contain both fault and redirect");
      }
      if (rewrite != null) {
        v.invalidObject("HTTP route rule cannot contain both rewrite and redirect");
      }
      if (directResponse != null) {
        v.invalidObject("HTTP route cannot contain both redirect and direct_response");
      }
    }
    if (directResponse != null) {
      if (hasRoute) {
        v.invalidObject("HTTP route cannot contain both route and direct_response");
      }
      if (fault != null) {
        v.invalidObject("HTTP route cannot contain both fault and direct_response");
      }
      if (rewrite != null) {
        v.invalidObject("HTTP route rule cannot contain both rewrite and direct_response");
      }
    }
    if (delegate != null) {
      if (hasRoute || redirect != null || directResponse != null) {
        v.invalidObject("HTTP route cannot contain both delegate and route, redirect or direct_response");
      }
    }
    if (!hasRoute && redirect == null && directResponse == null && delegate == null) {
      v.invalidObject("HTTP route, redirect or direct_response is required");
    }
  }
}
