package io.meshwork.proxy.config;

/**
 * One route of a virtual host: a match, an action, header mutations at route level, and the
 * route's own HTTP filter configuration ({@code typed_per_filter_config}): {@code fault} replaces
 * the connection manager's fault filter config for this route, {@code cors} is the route's CORS
 * policy (each {@code null} when the route has none). {@code operation} is the route's
 * {@code decorator.operation}: the span name for requests that match it (null: none), which is how
 * Istio names spans, e.g. {@code reviews.default.svc.cluster.local:9080/*} on an inbound route.
 */
public record Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
    HeaderMutations responseHeaders, FaultConfig fault, CorsConfig cors, String operation) {
  public Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
      HeaderMutations responseHeaders, FaultConfig fault, CorsConfig cors) {
    this(name, match, action, requestHeaders, responseHeaders, fault, cors, null);
  }

  public Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
      HeaderMutations responseHeaders) {
    this(name, match, action, requestHeaders, responseHeaders, null, null);
  }
}
