package io.meshwork.proxy.config;

import java.util.List;

/** A route's match: path, then every header matcher, then every query parameter matcher. */
public record RouteMatch(PathMatcher path, List<HeaderMatcher> headers, List<QueryParamMatcher> queryParams) {
  public boolean matches(RequestHead req) {
    if (!path.matches(req.path())) {
      return false;
    }
    for (var h : headers) {
      if (!h.matches(req)) {
        return false;
      }
    }
    for (var q : queryParams) {
      if (!q.matches(req.query())) {
        return false;
      }
    }
    return true;
  }
}
