package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/** The conditions of one HTTP match (all must hold); a route's matches are ORed. */
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

  @Override
  public void validate(Validation v) {
    checkHeaderKeys(v, "headers", headers);
    checkHeaderKeys(v, "withoutHeaders", withoutHeaders);
    for (var k : queryParams.keySet()) {
      if (k.isEmpty()) {
        v.invalid(v.at("queryParams").key(k), k, "query parameter name cannot be empty");
      }
    }
    NetRules.checkLabels(v, v.at("sourceLabels"), sourceLabels, false);
    VirtualService.checkGatewayNames(v, v.at("gateways"), gateways);
    if (sourceNamespace != null && !sourceNamespace.isEmpty() && !NetRules.isDns1123Label(sourceNamespace)) {
      v.invalid("sourceNamespace", sourceNamespace, "sourceNamespace must be a namespace name (a DNS-1123 label)");
    }
  }

  private static void checkHeaderKeys(Validation v, String field, Map<String, StringMatch> map) {
    for (var k : map.keySet()) {
      // Istio also matches JWT claims here: @request.auth.claims.<name>
      if (k.startsWith("@request.auth.claims.") && k.length() > "@request.auth.claims.".length()) {
        continue;
      }
      if (k.isEmpty()) {
        v.invalid(v.at(field).key(k), k, "header name cannot be empty");
      } else if (!NetRules.isHeaderName(k)) {
        v.invalid(v.at(field).key(k), k, "header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
      }
    }
  }
}
