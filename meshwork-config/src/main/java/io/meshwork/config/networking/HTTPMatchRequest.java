package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The conditions of one HTTP match (all must hold); a route's matches are ORed. Header keys may
 * also name a JWT claim as {@code @request.auth.claims.<name>} (gateways only).
 */
public record HTTPMatchRequest(
    String name,
    StringMatch uri,
    StringMatch scheme,
    StringMatch method,
    StringMatch authority,
    Map<String, StringMatch> headers,
    @Port Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    Map<String, StringMatch> queryParams,
    Boolean ignoreUriCase,
    Map<String, StringMatch> withoutHeaders,
    String sourceNamespace,
    String statPrefix) implements Validatable {

  static final String CLAIM_PREFIX = "@request.auth.claims.";

  @Override
  public void validate(Validation v) {
    checkHeaderKeys(v, "headers", headers);
    checkHeaderKeys(v, "withoutHeaders", withoutHeaders);
    NetRules.checkLabels(v, v.at("sourceLabels"), sourceLabels);
    VirtualService.checkGatewayNames(v, v.at("gateways"), gateways);
    if (sourceNamespace != null && !sourceNamespace.isEmpty() && !HostRules.isDns1123Label(sourceNamespace)) {
      v.invalid("sourceNamespace", sourceNamespace, "sourceNamespace match " + sourceNamespace + " is invalid");
    }
  }

  static boolean isClaim(String key) {
    return key.startsWith(CLAIM_PREFIX) && key.length() > CLAIM_PREFIX.length();
  }

  private static void checkHeaderKeys(Validation v, String field, Map<String, StringMatch> map) {
    for (var k : map.keySet()) {
      if (isClaim(k)) {
        continue;
      }
      var err = NetRules.headerNameError(k);
      if (err != null) {
        v.invalid(v.at(field).key(k), k, err);
      }
    }
  }

  /** The fields of this match that use a regex, which Istio does not allow around delegation. */
  List<String> regexFields() {
    var out = new ArrayList<String>();
    if (uri != null && uri.isRegex()) {
      out.add("uri");
    }
    if (scheme != null && scheme.isRegex()) {
      out.add("scheme");
    }
    if (method != null && method.isRegex()) {
      out.add("method");
    }
    if (authority != null && authority.isRegex()) {
      out.add("authority");
    }
    headers.forEach((k, m) -> {
      if (m.isRegex()) {
        out.add("headers[" + k + "]");
      }
    });
    queryParams.forEach((k, m) -> {
      if (m.isRegex()) {
        out.add("queryParams[" + k + "]");
      }
    });
    withoutHeaders.forEach((k, m) -> {
      if (m.isRegex()) {
        out.add("withoutHeaders[" + k + "]");
      }
    });
    return out;
  }
}
