package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * A workload outside Kubernetes (a VM or bare-metal host) or one endpoint of a ServiceEntry:
 * its address (IP, DNS name or {@code unix://} socket), named ports, labels, network, locality,
 * weight and identity. Also the template of a WorkloadGroup, where the address is filled in when
 * a workload registers. A ServiceEntry checks its endpoints' addresses against its resolution.
 */
public record WorkloadEntry(
    @MaxLength(256) String address,
    Map<String, @Port Long> ports,
    @MaxProperties(256) Map<String, String> labels,
    String network,
    String locality,
    @Min(0) @Max(4294967295L) Long weight,
    String serviceAccount) implements Validatable {

  private static final com.google.re2j.Pattern PORT_NAME = com.google.re2j.Pattern.compile("[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");
  static final String UDS = "unix://";

  @Override
  public void validate(Validation v) {
    boolean hasAddress = address != null && !address.isEmpty();
    boolean hasNetwork = network != null && !network.isEmpty();
    if (!hasAddress && !hasNetwork) {
      v.invalidObject("Address is required");
    } else if (!hasAddress && "WorkloadEntry".equals(v.kind())) {
      v.warn(v.path(), "address is unset with network \"" + network + "\"");
    }
    if (hasAddress && address.startsWith(UDS)) {
      var path = address.substring(UDS.length());
      if (!path.startsWith("/") && !path.startsWith("@")) {
        v.invalid("address", address, "UDS must be an absolute path or abstract socket");
      }
      if (address.endsWith("/")) {
        v.invalid("address", address, "UDS may not be a dir");
      }
      if (!ports.isEmpty()) {
        v.invalidObject("UDS may not include ports");
      }
    } else if (hasAddress && "WorkloadEntry".equals(v.kind()) && !HostRules.isIp(address) && HostRules.checkFqdn(address) != null) {
      v.invalid("address", address, "endpoint address \"" + address + "\" is not a valid FQDN or an IP address");
    }
    for (var name : ports.keySet()) {
      if (name.length() >= 63 || !PORT_NAME.matches(name)) {
        v.invalid("ports", ports, "port name must be valid (\"" + name + "\" is not a DNS-1123 label)");
        break;
      }
    }
    NetRules.checkLabels(v, v.at("labels"), labels);
  }

  /** Whether the address is a {@code unix://} socket. */
  public boolean isUnixSocket() {
    return address != null && address.startsWith(UDS);
  }
}
