package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;

/** A DestinationRule's policies for one service or subset, with per-port overrides. */
public record TrafficPolicy(
    LoadBalancerSettings loadBalancer,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    ClientTLSSettings tls,
    @MaxItems(4096) List<PortTrafficPolicy> portLevelSettings,
    TunnelSettings tunnel,
    ProxyProtocol proxyProtocol,
    RetryBudget retryBudget) implements Validatable {

  /** Policies for one port of the service; they replace (not merge with) the service-wide ones. */
  public record PortTrafficPolicy(
      PortSelector port,
      LoadBalancerSettings loadBalancer,
      ConnectionPoolSettings connectionPool,
      OutlierDetection outlierDetection,
      ClientTLSSettings tls) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (port == null || port.number() == null) {
        v.required(v.at("port"), "portTrafficPolicy must have valid port");
      }
      if (loadBalancer == null && connectionPool == null && outlierDetection == null && tls == null) {
        v.invalidObject("port traffic policy must have at least one field");
      }
    }
  }

  /** Tunnels connections to the destination through a proxy with HTTP CONNECT or POST. */
  public record TunnelSettings(String protocol, @Required String targetHost, @Required @Port Integer targetPort)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (protocol != null && !protocol.isEmpty() && !protocol.equals("CONNECT") && !protocol.equals("POST")) {
        v.add(io.meshwork.config.schema.FieldError.unsupported(v.at("protocol"), protocol, List.of("CONNECT", "POST")));
      }
      if (targetHost.isEmpty()) {
        v.required(v.at("targetHost"), "tunnel targetHost is required");
      } else if (!NetRules.isIp(targetHost) && NetRules.checkDnsName(targetHost, targetHost) != null) {
        v.invalid("targetHost", targetHost, "tunnel targetHost must be an IP address or a DNS name");
      }
    }
  }

  /** Sends a PROXY protocol header to the destination. */
  public record ProxyProtocol(Version version) {
    /** The PROXY protocol version. */
    public enum Version {
      V1,
      V2
    }
  }

  /** Limits retries to a share of active requests, with a floor of concurrent retries. */
  public record RetryBudget(Double percent, @Min(0) Integer minRetryConcurrency) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (percent != null) {
        NetRules.checkPercent(v, v.at("percent"), percent);
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (loadBalancer == null && connectionPool == null && outlierDetection == null && tls == null
        && portLevelSettings.isEmpty() && tunnel == null && proxyProtocol == null && retryBudget == null) {
      v.invalidObject("traffic policy must have at least one field");
    }
    var ports = new HashSet<Integer>();
    for (int i = 0; i < portLevelSettings.size(); i++) {
      var p = portLevelSettings.get(i).port();
      if (p != null && p.number() != null && !ports.add(p.number())) {
        v.duplicate(v.at("portLevelSettings").index(i).child("port").child("number"), p.number());
      }
    }
  }
}
