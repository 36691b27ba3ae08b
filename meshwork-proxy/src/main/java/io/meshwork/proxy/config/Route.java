package io.meshwork.proxy.config;

/**
 * One route of a virtual host: a match, an action, header mutations at route level, and the
 * route's own HTTP filter configuration ({@code typed_per_filter_config}): {@code fault} replaces
 * the connection manager's fault filter config for this route, {@code cors} is the route's CORS
 * policy (each {@code null} when the route has none).
 */
public record Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
    HeaderMutations responseHeaders, FaultConfig fault, CorsConfig cors) {
  public Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
      HeaderMutations responseHeaders) {
    this(name, match, action, requestHeaders, responseHeaders, null, null);
  }
}
