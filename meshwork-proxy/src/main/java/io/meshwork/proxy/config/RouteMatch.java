package io.meshwork.proxy.config;

import java.util.List;

/** A route's match: path, then every header matcher, then every query parameter matcher. */
public record RouteMatch(PathMatcher path, List<HeaderMatcher> headers, List<QueryParamMatcher> queryParams) {
  public boolean matches(RequestHead req) {
    if (!path.matches(req.path())) {
      return false;
    }
    // Indexed loops: no iterator per route tried under C1 (see HeaderMutations.apply).
    for (int i = 0, n = headers.size(); i < n; i++) {
      if (!headers.get(i).matches(req)) {
        return false;
      }
    }
    for (int i = 0, n = queryParams.size(); i < n; i++) {
      if (!queryParams.get(i).matches(req.query())) {
        return false;
      }
    }
    return true;
  }
}
