package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/** Conditions of a TLS route: SNI names (required), destination subnets, port, source, gateways. */
public record TLSMatchAttributes(
    List<String> sniHosts,
    List<String> destinationSubnets,
    @Port Integer port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (sniHosts.isEmpty()) {
      v.required(v.at("sniHosts"), "TLS match must have at least one SNI host");
    }
    for (int i = 0; i < sniHosts.size(); i++) {
      var err = NetRules.checkWildcardDomain(sniHosts.get(i));
      if (err != null) {
        v.invalid(v.at("sniHosts").index(i), sniHosts.get(i), err);
      }
    }
    VirtualService.checkSubnets(v, v.at("destinationSubnets"), destinationSubnets);
    NetRules.checkLabels(v, v.at("sourceLabels"), sourceLabels, false);
    VirtualService.checkGatewayNames(v, v.at("gateways"), gateways);
  }
}
