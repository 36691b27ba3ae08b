package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/**
 * Conditions of a TLS route: SNI names (required; each must fall within the VirtualService's
 * hosts, which the VirtualService checks), destination subnets, port, source, gateways.
 */
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
    VirtualService.checkSubnets(v, v.at("destinationSubnets"), destinationSubnets);
    NetRules.checkLabels(v, v.at("sourceLabels"), sourceLabels);
    VirtualService.checkGatewayNames(v, v.at("gateways"), gateways);
  }
}
