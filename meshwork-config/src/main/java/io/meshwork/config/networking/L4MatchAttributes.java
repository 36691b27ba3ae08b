package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/** Conditions of a TCP route: destination subnets, port, source subnet/labels/namespace, gateways. */
public record L4MatchAttributes(
    List<String> destinationSubnets,
    @Port Integer port,
    String sourceSubnet,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) implements Validatable {
  @Override
  public void validate(Validation v) {
    VirtualService.checkSubnets(v, v.at("destinationSubnets"), destinationSubnets);
    if (sourceSubnet != null && !sourceSubnet.isEmpty() && !HostRules.isIpOrCidr(sourceSubnet)) {
      v.invalid("sourceSubnet", sourceSubnet, sourceSubnet + " is not a valid CIDR block or IP address");
    }
    NetRules.checkLabels(v, v.at("sourceLabels"), sourceLabels);
    VirtualService.checkGatewayNames(v, v.at("gateways"), gateways);
    if (sourceNamespace != null && !sourceNamespace.isEmpty() && !HostRules.isDns1123Label(sourceNamespace)) {
      v.invalid("sourceNamespace", sourceNamespace, "sourceNamespace match " + sourceNamespace + " is invalid");
    }
  }
}
