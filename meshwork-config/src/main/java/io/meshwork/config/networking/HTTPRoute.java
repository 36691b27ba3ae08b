package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP rule: matches, and one action (route, redirect, directResponse, or delegate in a root
 * VirtualService), with the route's policies (rewrite, timeout, retries, fault, mirrors, CORS,
 * headers). {@code mirrorPercent} is the deprecated integer form of {@code mirrorPercentage};
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
    if (delegate != null) {
      checkRootRoute(v);
    } else {
      checkActions(v);
    }
    if (websocketUpgrade != null) {
      v.warn(v.at("websocketUpgrade"), "websocketUpgrade is obsolete and ignored: WebSocket upgrades are always allowed");
    }
    NetRules.checkHeaders(v, v.at("headers"), headers);
    checkAuthorityRewrite(v);
    checkMirrors(v);
    NetRules.checkDuration(v, "timeout", timeout);
    NetRules.checkWeights(v, route.size(), route.stream().mapToLong(HTTPRouteDestination::weight).sum());
  }

  /** A route that delegates may only match (without regexes) and delegate. */
  private void checkRootRoute(Validation v) {
    var label = name == null || name.isEmpty() ? "" : name + " ";
    if (redirect != null) {
      v.invalidObject("root HTTP route " + label + "must not specify redirect");
    }
    if (!route.isEmpty()) {
      v.invalidObject("root HTTP route " + label + "must not specify route");
    }
    if (directResponse != null) {
      v.invalidObject("root HTTP route " + label + "must not specify direct_response");
    }
    checkNoRegex(v, "delegating");
  }

  void checkNoRegex(Validation v, String why) {
    for (int i = 0; i < match.size(); i++) {
      for (var field : match.get(i).regexFields()) {
        v.invalid(v.at("match").index(i), field, field + " match does not support regex match for " + why);
      }
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
    } else if (directResponse != null) {
      if (hasRoute) {
        v.invalidObject("HTTP route cannot contain both route and direct_response");
      }
      if (fault != null) {
        v.invalidObject("HTTP route cannot contain both fault and direct_response");
      }
      if (rewrite != null) {
        v.invalidObject("HTTP route rule cannot contain both rewrite and direct_response");
      }
    } else if (!hasRoute) {
      v.invalidObject("HTTP route, redirect or direct_response is required");
    }
  }

  /** The authority may be rewritten in one place only: rewrite.authority or one request header. */
  private void checkAuthorityRewrite(Validation v) {
    String current = rewrite == null || rewrite.authority() == null ? "" : rewrite.authority();
    if (headers == null || headers.request() == null) {
      return;
    }
    for (var ops : List.of(headers.request().set(), headers.request().add())) {
      for (Map.Entry<String, String> e : ops.entrySet()) {
        if (!NetRules.isAuthorityHeader(e.getKey())) {
          continue;
        }
        if (!current.isEmpty()) {
          v.invalid(v.at("headers").child("request"), e.getValue(),
              "authority header cannot be set multiple times: have \"" + current + "\", attempting to set \"" + e.getValue() + "\"");
          return;
        }
        current = e.getValue();
      }
    }
  }

  private void checkMirrors(Validation v) {
    if (mirrorPercent != null) {
      if (mirrorPercent > 100) {
        v.invalid("mirrorPercent", mirrorPercent, "mirror_percent must have a max value of 100 (it has " + mirrorPercent + ")");
      } else if (mirrorPercent < 0) {
        v.invalid("mirrorPercent", mirrorPercent, "mirror_percent must have a min value of 0 (it has " + mirrorPercent + ")");
      }
      v.warn(v.at("mirrorPercent"), "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead");
    }
    checkMirrorPercentage(v, v.at("mirrorPercentage").child("value"), mirrorPercentage, "mirror_percentage");
    for (int i = 0; i < mirrors.size(); i++) {
      checkMirrorPercentage(v, v.at("mirrors").index(i).child("percentage").child("value"), mirrors.get(i).percentage(), "mirror percentage");
    }
  }

  private static void checkMirrorPercentage(Validation v, io.meshwork.config.schema.FieldPath p, Percent percentage, String what) {
    if (percentage == null) {
      return;
    }
    double value = percentage.value();
    if (value > 100) {
      v.invalid(p, value, what + " must have a max value of 100 (it has " + String.format(Locale.ROOT, "%f", value) + ")");
    } else if (value < 0) {
      v.invalid(p, value, what + " must have a min value of 0 (it has " + String.format(Locale.ROOT, "%f", value) + ")");
    }
  }
}
