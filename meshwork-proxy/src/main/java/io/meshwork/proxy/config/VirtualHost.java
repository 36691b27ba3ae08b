package io.meshwork.proxy.config;

import java.util.List;

/** A virtual host: the domains it serves, its routes in order, and header mutations at host level. */
public record VirtualHost(String name, List<String> domains, List<Route> routes, HeaderMutations requestHeaders,
    HeaderMutations responseHeaders, RetryPolicy retryPolicy) {
  /** The first route whose match accepts the request, or null. */
  public Route route(RequestHead req) {
    for (int i = 0, n = routes.size(); i < n; i++) { // indexed: no iterator per request under C1
      var r = routes.get(i);
      if (r.match().matches(req)) {
        return r;
      }
    }
    return null;
  }
}
