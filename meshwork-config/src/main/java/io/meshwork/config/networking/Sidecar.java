package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;

/**
 * Narrows and tunes the proxy of the selected workloads (networking.istio.io Sidecar): which
 * inbound ports it accepts and forwards where, which services it may reach outbound, what happens
 * to traffic to unknown destinations, and the inbound connection pool.
 */
public record Sidecar(
    WorkloadSelector workloadSelector,
    List<IstioIngressListener> ingress,
    List<IstioEgressListener> egress,
    ConnectionPoolSettings inboundConnectionPool,
    OutboundTrafficPolicy outboundTrafficPolicy) implements Validatable {

  /** How traffic reaches the listener: iptables capture or the application addressing the proxy. */
  public enum CaptureMode {
    DEFAULT,
    IPTABLES,
    NONE
  }

  /** An inbound listener: a port, where to forward (defaultEndpoint), TLS and a connection pool. */
  public record IstioIngressListener(
      @Required SidecarPort port,
      String bind,
      CaptureMode captureMode,
      String defaultEndpoint,
      ServerTLSSettings tls,
      ConnectionPoolSettings connectionPool) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (port.number() == null) {
        v.required(v.at("port").child("number"), "sidecar: port is required for ingress listeners");
      }
      checkBind(v, bind);
      if (defaultEndpoint != null && !defaultEndpoint.isEmpty()) {
        checkDefaultEndpoint(v, v.at("defaultEndpoint"), defaultEndpoint);
      }
    }
  }

  /** An outbound listener: the services ({@code namespace/host}) reachable on a port, or on all ports. */
  public record IstioEgressListener(SidecarPort port, String bind, CaptureMode captureMode, List<String> hosts)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (hosts.isEmpty()) {
        v.required(v.at("hosts"), "sidecar: egress listener must contain at least one host");
      }
      for (int i = 0; i < hosts.size(); i++) {
        var err = NetRules.checkNamespaceSlashHost(hosts.get(i), false);
        if (err != null) {
          v.invalid(v.at("hosts").index(i), hosts.get(i), "sidecar: " + err);
        }
      }
      checkBind(v, bind);
      if (captureMode == CaptureMode.NONE && (port == null || port.number() == null) && (bind == null || bind.isEmpty())) {
        v.invalidObject("sidecar: egress listeners with captureMode NONE must have a port or bind address");
      }
    }
  }

  /** What the proxy does with traffic to destinations not in its registry. */
  public record OutboundTrafficPolicy(Mode mode, Destination egressProxy) implements Validatable {
    /** Allow any destination, or only registered ones. */
    public enum Mode {
      REGISTRY_ONLY,
      ALLOW_ANY
    }

    @Override
    public void validate(Validation v) {
      if (egressProxy != null) {
        if (mode != Mode.ALLOW_ANY) {
          v.invalid(v.at("egressProxy"), "object", "sidecar: egressProxy must be set only with ALLOW_ANY outbound traffic policy mode");
        }
        if (egressProxy.port() == null || egressProxy.port().number() == null) {
          v.required(v.at("egressProxy").child("port"), "sidecar: egressProxy port must be non-zero");
        }
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (ingress.isEmpty() && egress.isEmpty() && outboundTrafficPolicy == null && inboundConnectionPool == null) {
      v.invalidObject("sidecar: empty configuration provided");
    }
    var inPorts = new HashSet<Integer>();
    for (int i = 0; i < ingress.size(); i++) {
      var n = ingress.get(i).port().number();
      if (n != null && !inPorts.add(n)) {
        v.invalid(v.at("ingress").index(i).child("port").child("number"), n, "sidecar: ports on IP bound listeners must be unique");
      }
    }
    var outPorts = new HashSet<String>();
    for (int i = 0; i < egress.size(); i++) {
      var e = egress.get(i);
      var p = v.at("egress").index(i);
      if (e.port() == null || e.port().number() == null) {
        if (i != egress.size() - 1) {
          v.invalid(p, "object", "sidecar: the egress listener with empty port should be the last listener in the list");
        }
        continue;
      }
      var key = (e.bind() == null ? "" : e.bind()) + ":" + e.port().number();
      if (!outPorts.add(key)) {
        v.invalid(p.child("port").child("number"), e.port().number(), "sidecar: egress listeners must have unique ports (and bind addresses)");
      }
    }
  }

  static void checkBind(Validation v, String bind) {
    if (bind != null && !bind.isEmpty() && !NetRules.isIp(bind) && !bind.startsWith("unix://")) {
      v.invalid("bind", bind, "sidecar: bind must be an IP address or a unix:// socket path");
    }
  }

  /** {@code 127.0.0.1:PORT}, {@code 0.0.0.0:PORT}, {@code [::1]:PORT}, {@code [::]:PORT} or {@code unix://path}. */
  static void checkDefaultEndpoint(Validation v, FieldPath p, String endpoint) {
    if (endpoint.startsWith("unix://")) {
      if (endpoint.length() == "unix://".length()) {
        v.invalid(p, endpoint, "sidecar: defaultEndpoint socket path cannot be empty");
      }
      return;
    }
    int colon = endpoint.lastIndexOf(':');
    var host = colon < 0 ? "" : endpoint.substring(0, colon);
    var port = colon < 0 ? "" : endpoint.substring(colon + 1);
    boolean hostOk = host.equals("127.0.0.1") || host.equals("0.0.0.0") || host.equals("[::1]") || host.equals("[::]");
    boolean portOk = !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit)
        && NetRules.isPort(Long.parseLong(port));
    if (!hostOk || !portOk) {
      v.invalid(p, endpoint, "sidecar: defaultEndpoint must be of the form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>");
    }
  }
}
