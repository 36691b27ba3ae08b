package io.meshwork.proxy.config;

import java.util.List;

/**
 * {@code envoy.filters.http.cors}: as an HCM filter it carries no policy ({@link #NONE}) and acts
 * only on routes whose {@code typed_per_filter_config} holds a {@code CorsPolicy}. A request whose
 * {@code Origin} matches {@code allowOrigins} gets {@code access-control-allow-origin} (and
 * credentials/expose headers) on its response; a matching preflight ({@code OPTIONS} with
 * {@code access-control-request-method}) is answered locally with 200 and the allowed methods,
 * headers and max age, as Envoy does. Empty strings mean "not configured".
 */
public record CorsConfig(List<StringMatcher> allowOrigins, String allowMethods, String allowHeaders, String exposeHeaders,
    String maxAge, boolean allowCredentials) implements HttpFilterConfig {
  public static final CorsConfig NONE = new CorsConfig(List.of(), "", "", "", "", false);

  /** Whether {@code origin} is allowed by this policy. */
  public boolean allows(String origin) {
    if (origin == null || origin.isEmpty()) {
      return false;
    }
    for (var m : allowOrigins) {
      if (m.matches(origin)) {
        return true;
      }
    }
    return false;
  }
}
