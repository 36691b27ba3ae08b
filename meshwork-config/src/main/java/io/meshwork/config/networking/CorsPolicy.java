package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.List;
import java.util.Set;

/** Cross-origin resource sharing for an HTTP route. {@code allowOrigin} is the deprecated exact-only form. */
public record CorsPolicy(
    List<String> allowOrigin,
    List<StringMatch> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    @MinDuration("1ms") Duration maxAge,
    Boolean allowCredentials,
    UnmatchedPreflights unmatchedPreflights) implements Validatable {

  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE");

  /** What happens to preflight requests whose origin does not match. */
  public enum UnmatchedPreflights {
    UNSPECIFIED,
    FORWARD,
    IGNORE
  }

  @Override
  public void validate(Validation v) {
    if (!allowOrigin.isEmpty()) {
      v.warn(v.at("allowOrigin"), "allowOrigin is deprecated; use allowOrigins");
    }
    for (int i = 0; i < allowOrigins.size(); i++) {
      var o = allowOrigins.get(i);
      var text = o.exact() != null ? o.exact() : o.prefix() != null ? o.prefix() : o.regex();
      if (text == null || text.isEmpty()) {
        v.invalid(v.at("allowOrigins").index(i), "", "'' is not a valid match type for CORS allow origins");
      }
    }
    for (int i = 0; i < allowMethods.size(); i++) {
      var m = allowMethods.get(i);
      if (!METHODS.contains(m)) {
        v.invalid(v.at("allowMethods").index(i), m, "\"" + m + "\" is not a supported HTTP method");
      }
    }
    checkNames(v, "allowHeaders", allowHeaders);
    checkNames(v, "exposeHeaders", exposeHeaders);
    NetRules.checkDuration(v, "maxAge", maxAge);
    if (maxAge != null && maxAge.nanos() % 1_000_000_000L != 0) {
      v.invalid("maxAge", maxAge.text(), "max_age duration is accurate only to seconds precision");
    }
  }

  private static void checkNames(Validation v, String field, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      var n = names.get(i);
      if (!n.equals("*")) {
        var err = NetRules.headerNameError(n);
        if (err != null) {
          v.invalid(v.at(field).index(i), n, err);
        }
      }
    }
  }
}
