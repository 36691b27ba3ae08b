package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * A workload outside Kubernetes (a VM or bare-metal host) or one endpoint of a ServiceEntry:
 * its address (IP, DNS name or {@code unix://} socket), named ports, labels, network, locality,
 * weight and identity. Also the template of a WorkloadGroup, where the address is left out.
 */
public record WorkloadEntry(
    @MaxLength(256) String address,
    Map<String, @Port Integer> ports,
    @MaxProperties(256) Map<String, String> labels,
    String network,
    String locality,
    Long weight,
    String serviceAccount) implements Validatable {

  private static final com.google.re2j.Pattern PORT_NAME = com.google.re2j.Pattern.compile("[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");
  static final String UDS = "unix://";

  @Override
  public void validate(Validation v) {
    boolean template = "WorkloadGroup".equals(v.kind());
    boolean hasAddress = address != null && !address.isEmpty();
    if (template) {
      if (hasAddress) {
        v.invalid("address", address, "a WorkloadGroup template cannot set an address: each registered workload brings its own");
      }
    } else if (!hasAddress && (network == null || network.isEmpty())) {
      v.invalidObject("Address is required");
    }
    if (hasAddress) {
      checkAddress(v);
    }
    for (var name : ports.keySet()) {
      if (name.length() >= 63 || !PORT_NAME.matches(name)) {
        v.invalid("ports", ports, "port name must be valid (\"" + name + "\" is not a DNS-1123 label)");
        break;
      }
    }
    NetRules.checkLabels(v, v.at("labels"), labels, false);
    if (weight != null && (weight < 0 || weight > 0xFFFFFFFFL)) {
      v.invalid("weight", weight, "weight must be between 0 and 4294967295");
    }
    if (serviceAccount != null && !serviceAccount.isEmpty()
        && (serviceAccount.length() > 253 || NetRules.checkDnsName(serviceAccount, serviceAccount) != null)) {
      v.invalid("serviceAccount", serviceAccount, "serviceAccount must be a DNS-1123 subdomain");
    }
  }

  private void checkAddress(Validation v) {
    if (address.startsWith(UDS)) {
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
      return;
    }
    if (!NetRules.isIp(address) && (address.length() > 255 || NetRules.checkDnsName(address, address) != null)) {
      v.invalid("address", address, "address must be an IP address, a DNS name or a unix:// socket path");
    }
  }

  /** Whether the address is an IP (not a DNS name or socket). */
  public boolean hasIpAddress() {
    return address != null && NetRules.isIp(address);
  }
}
