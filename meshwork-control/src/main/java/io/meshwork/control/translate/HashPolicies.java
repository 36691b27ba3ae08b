package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.meshwork.config.networking.LoadBalancerSettings;
import java.util.List;

/** A DestinationRule's consistent hash key as the route's hash policy (the cluster itself gets RING_HASH or MAGLEV). */
final class HashPolicies {
  private HashPolicies() {}

  static List<RouteAction.HashPolicy> of(LoadBalancerSettings.ConsistentHashLB ch) {
    if (ch == null) {
      return List.of();
    }
    var h = RouteAction.HashPolicy.newBuilder();
    if (ch.httpHeaderName() != null) {
      h.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(ch.httpHeaderName()));
    } else if (ch.httpCookie() != null) {
      var c = RouteAction.HashPolicy.Cookie.newBuilder().setName(ch.httpCookie().name());
      if (ch.httpCookie().path() != null) {
        c.setPath(ch.httpCookie().path());
      }
      if (ch.httpCookie().ttl() != null) {
        c.setTtl(Protos.duration(ch.httpCookie().ttl()));
      }
      h.setCookie(c);
    } else if (Boolean.TRUE.equals(ch.useSourceIp())) {
      h.setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else if (ch.httpQueryParameterName() != null) {
      h.setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder().setName(ch.httpQueryParameterName()));
    } else {
      return List.of();
    }
    return List.of(h.build());
  }
}
