package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Adds a service to the mesh's registry (networking.istio.io ServiceEntry): its hosts, virtual
 * addresses, ports, whether it is inside the mesh, how endpoints are found (none, static list,
 * DNS), and the endpoints or the selector of WorkloadEntries/pods that back it.
 */
public record ServiceEntry(
    @Required @MaxItems(256) List<String> hosts,
    @MaxItems(256) List<@MaxLength(64) String> addresses,
    @MaxItems(256) List<ServicePort> ports,
    Location location,
    Resolution resolution,
    @MaxItems(4096) List<WorkloadEntry> endpoints,
    WorkloadSelector workloadSelector,
    List<String> exportTo,
    List<String> subjectAltNames) implements Validatable {

  /** Whether the service is part of the mesh (mTLS, telemetry as for mesh services). */
  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  /** How the proxy finds the service's endpoints. */
  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN
  }

  /** Selects pods and WorkloadEntries (by {@code labels}) as the service's endpoints. */
  public record WorkloadSelector(@MaxProperties(256) Map<String, String> labels) implements Validatable {
    @Override
    public void validate(Validation v) {
      NetRules.checkLabels(v, v.at("labels"), labels, true);
    }
  }

  /** The resolution, NONE when absent. */
  public Resolution effectiveResolution() {
    return resolution == null ? Resolution.NONE : resolution;
  }

  @Override
  public void validate(Validation v) {
    var res = effectiveResolution();
    if (workloadSelector != null && !endpoints.isEmpty()) {
      v.invalidObject("only one of WorkloadSelector or Endpoints can be set");
    }
    if (addresses.stream().anyMatch(a -> a.contains("/")) && res != Resolution.NONE && res != Resolution.STATIC) {
      v.invalidObject("CIDR addresses are allowed only for NONE/STATIC resolution types");
    }
    if (res == Resolution.NONE && !endpoints.isEmpty()) {
      v.invalidObject("NONE mode cannot set endpoints");
    }
    if (res == Resolution.DNS_ROUND_ROBIN && endpoints.size() > 1) {
      v.invalidObject("DNS_ROUND_ROBIN mode cannot have multiple endpoints");
    }
    checkHosts(v, res);
    for (int i = 0; i < addresses.size(); i++) {
      if (!NetRules.isIpOrCidr(addresses.get(i))) {
        v.invalid(v.at("addresses").index(i), addresses.get(i), "invalid address: it must be an IP address or CIDR block");
      }
    }
    checkPorts(v);
    checkEndpoints(v, res);
    NetRules.checkExportTo(v, exportTo);
  }

  private void checkHosts(Validation v, Resolution res) {
    if (hosts.isEmpty()) {
      v.required(v.at("hosts"), "services must have at least one host");
    }
    for (int i = 0; i < hosts.size(); i++) {
      var h = hosts.get(i);
      var p = v.at("hosts").index(i);
      if (h.equals("*")) {
        v.invalid(p, h, "hostname cannot be wildcard");
        continue;
      }
      var err = NetRules.checkWildcardDomain(h);
      if (err != null) {
        v.invalid(p, h, err);
      } else if ((res == Resolution.DNS || res == Resolution.DNS_ROUND_ROBIN) && endpoints.isEmpty() && h.startsWith("*")) {
        v.invalid(p, h, "hosts must be FQDN if no endpoints are provided for resolution mode " + res);
      }
    }
  }

  private void checkPorts(Validation v) {
    var names = new HashSet<String>();
    var numbers = new HashMap<Integer, Integer>();
    for (int i = 0; i < ports.size(); i++) {
      var port = ports.get(i);
      if (!names.add(port.name())) {
        v.duplicate(v.at("ports").index(i), port.name());
      }
      if (numbers.putIfAbsent(port.number(), i) != null) {
        v.invalid(v.at("ports"), ports, "port number cannot be duplicated");
      }
    }
  }

  private void checkEndpoints(Validation v, Resolution res) {
    var portNames = new HashSet<String>();
    ports.forEach(p -> portNames.add(p.name()));
    for (int i = 0; i < endpoints.size(); i++) {
      var e = endpoints.get(i);
      var p = v.at("endpoints").index(i);
      var address = e.address();
      if (address != null && !address.isEmpty() && !address.startsWith(WorkloadEntry.UDS)) {
        if (res == Resolution.STATIC && !NetRules.isIp(address)) {
          v.invalid(p.child("address"), address, "endpoint address must be an IP address for STATIC resolution");
        }
      }
      for (var name : e.ports().keySet()) {
        if (!portNames.contains(name)) {
          v.invalid(p.child("ports").key(name), name, "endpoint port " + name + " is not defined by the service entry");
        }
      }
    }
  }
}
