package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
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
      if (port == null) {
        v.required(v.at("port"), "portTrafficPolicy must have valid port");
      }
      if (loadBalancer == null && connectionPool == null && outlierDetection == null && tls == null) {
        v.invalidObject("port traffic policy must have at least one field");
      }
      warnFailoverWithoutOutlierDetection(v, loadBalancer, outlierDetection);
    }
  }

  /** Tunnels connections to the destination through a proxy with HTTP CONNECT or POST. */
  public record TunnelSettings(String protocol, @Required String targetHost, @Required Long targetPort) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (protocol != null && !protocol.isEmpty() && !protocol.equals("CONNECT") && !protocol.equals("POST")) {
        v.invalid("protocol", protocol, "tunnel protocol must be \"CONNECT\" or \"POST\"");
      }
      if (HostRules.checkFqdn(targetHost) != null && !HostRules.isIp(targetHost)) {
        v.invalid("targetHost", targetHost, "tunnel target host must be valid FQDN or IP address");
      }
      if (!NetRules.isPort(targetPort)) {
        v.invalid("targetPort", targetPort, "tunnel target port is invalid: port number " + targetPort + " must be in the range 1..65535");
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
  public record RetryBudget(Double percent, @Min(0) Long minRetryConcurrency) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (percent != null && (percent < 0 || percent > 100)) {
        v.invalid("percent", percent, "retry budget percent must be in range [0.0, 100.0]");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (loadBalancer == null && connectionPool == null && outlierDetection == null && tls == null
        && portLevelSettings.isEmpty() && tunnel == null && proxyProtocol == null && retryBudget == null) {
      v.invalidObject("traffic policy must have at least one field");
    }
    if (tunnel != null && proxyProtocol != null) {
      v.invalidObject("tunnel and proxyProtocol must not be set together");
    }
    warnFailoverWithoutOutlierDetection(v, loadBalancer, outlierDetection);
  }

  static void warnFailoverWithoutOutlierDetection(Validation v, LoadBalancerSettings lb, OutlierDetection outlier) {
    var locality = lb == null ? null : lb.localityLbSetting();
    if (locality != null && (!locality.failover().isEmpty() || !locality.failoverPriority().isEmpty()) && outlier == null) {
      v.warn(v.at("loadBalancer").child("localityLbSetting"), "outlier detection policy must be provided for failover");
    }
  }
}
