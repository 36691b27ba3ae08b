package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
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
      NetRules.checkSelectorLabels(v, v.at("labels"), labels);
      if (labels.isEmpty()) {
        v.warn(v.path(), "service entry: workload selector specified without labels, will be applied to all services in namespace");
      }
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
    if (workloadSelector != null && res != Resolution.STATIC) {
      v.warn(v.at("workloadSelector"), "workloadSelector should not be set when resolution mode is " + res);
    }
    checkHosts(v, res);
    VirtualService.checkSubnets(v, v.at("addresses"), addresses);
    checkPorts(v, res);
    checkEndpoints(v, res);
    if (res != Resolution.NONE && hosts.size() > 1
        && ports.stream().anyMatch(p -> !NetRules.isHttpProtocol(p.protocol()) && !NetRules.isTlsProtocol(p.protocol()))) {
      v.invalid(v.at("ports"), ports, "multiple hosts provided with non-HTTP, non-TLS ports");
    }
    NetRules.checkExportTo(v, exportTo, true, false);
  }

  private void checkHosts(Validation v, Resolution res) {
    for (int i = 0; i < hosts.size(); i++) {
      var h = hosts.get(i);
      var p = v.at("hosts").index(i);
      if (h.equals("*")) {
        v.invalid(p, h, "hostname cannot be wildcard");
        continue;
      }
      var err = HostRules.checkWildcardDomain(h);
      if (err != null) {
        v.invalid(p, h, err);
        continue;
      }
      var partial = HostRules.partialWildcard(h);
      if (partial != null) {
        v.warn(p, partial);
      }
      if ((res == Resolution.DNS || res == Resolution.DNS_ROUND_ROBIN) && endpoints.isEmpty() && HostRules.checkFqdn(h) != null) {
        v.invalid(p, h, "hosts must be FQDN if no endpoints are provided for resolution mode " + res);
      }
    }
  }

  private void checkPorts(Validation v, Resolution res) {
    var names = new HashSet<String>();
    var numbers = new HashSet<Long>();
    for (int i = 0; i < ports.size(); i++) {
      var port = ports.get(i);
      if (!names.add(port.name())) {
        v.duplicate(v.at("ports").index(i), port.name());
      }
      if (!numbers.add(port.number())) {
        v.invalid(v.at("ports").index(i).child("number"), port.number(), "port number cannot be duplicated");
      }
      if (port.targetPort() != null && res == Resolution.NONE) {
        v.warn(v.at("ports").index(i).child("targetPort"), "targetPort has no effect when resolution mode is NONE");
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
      if (address != null && !address.isEmpty() && !e.isUnixSocket()) {
        if (res == Resolution.STATIC && !HostRules.isIp(address)) {
          v.invalid(p.child("address"), address, "endpoint address \"" + address + "\" is not a valid IP address");
        } else if (res != Resolution.STATIC && !HostRules.isIp(address) && HostRules.checkFqdn(address) != null) {
          v.invalid(p.child("address"), address, "endpoint address \"" + address + "\" is not a valid FQDN or an IP address");
        }
      }
      if (e.isUnixSocket() && res == Resolution.STATIC && ports.size() != 1) {
        v.invalid(p.child("address"), address, "exactly 1 service port required for unix endpoints");
      }
      for (var name : e.ports().keySet()) {
        if (!portNames.contains(name)) {
          v.invalid(p.child("ports").key(name), name, "endpoint port " + name + " is not defined by the service entry");
        }
      }
    }
  }
}
