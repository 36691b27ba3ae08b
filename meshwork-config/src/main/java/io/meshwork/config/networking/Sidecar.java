package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.FieldPath;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

  /**
   * The workloads a Sidecar applies to, by exact label match. Istio's networking
   * {@code WorkloadSelector} names its map {@code labels} (as ServiceEntry's does), unlike the
   * {@code matchLabels} of the security and telemetry kinds and of DestinationRule.
   */
  public record WorkloadSelector(Map<String, String> labels) implements Validatable {
    public WorkloadSelector {
      labels = labels == null ? Map.of() : labels;
    }

    @Override
    public void validate(Validation v) {
      NetRules.checkSelectorLabels(v, v.at("labels"), labels);
      if (labels.isEmpty()) {
        v.warn(v.path(), "workload selector specified without labels: it selects every workload in the namespace");
      }
    }

    /** Whether a workload with {@code workloadLabels} is selected (every selector label present with the same value). */
    public boolean matches(Map<String, String> workloadLabels) {
      return io.meshwork.config.types.WorkloadSelector.selects(labels, workloadLabels);
    }
  }

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
      var p = v.at("port");
      checkPortNameAndProtocol(v, p, port);
      NetRules.checkPort(v, p.child("number"), port.numberOrZero());
      if (bind != null && !bind.isEmpty() && !HostRules.isIp(bind)) {
        v.invalid("bind", bind, bind + " is not a valid IP");
      }
      if (defaultEndpoint != null && !defaultEndpoint.isEmpty()) {
        checkDefaultEndpoint(v, v.at("defaultEndpoint"), defaultEndpoint);
      }
      if (tls != null) {
        var tp = v.at("tls");
        if (!tls.subjectAltNames().isEmpty()) {
          v.invalid(tp.child("subjectAltNames"), tls.subjectAltNames(), "sidecar: subjectAltNames is not supported in ingress tls");
        }
        if (tls.httpsRedirect()) {
          v.invalid(tp.child("httpsRedirect"), true, "sidecar: httpsRedirect is not supported");
        }
        if (ServerTLSSettings.set(tls.credentialName())) {
          v.invalid(tp.child("credentialName"), tls.credentialName(), "sidecar: credentialName is not currently supported");
        }
        var m = tls.effectiveMode();
        if (m == ServerTLSSettings.TLSmode.ISTIO_MUTUAL || m == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH) {
          v.invalid(tp.child("mode"), m.name(), "configuration is invalid: cannot set mode to " + m + " in sidecar ingress tls");
        }
      }
      if (connectionPool != null && connectionPool.http() != null && !NetRules.isHttpProtocol(port.protocol())) {
        v.warn(v.at("connectionPool").child("http"), "sidecar: HTTP connection pool settings are configured for port "
            + port.numberOrZero() + " but its protocol is not HTTP (" + port.protocol() + "); only TCP settings will apply");
      }
    }
  }

  /** An outbound listener: the services ({@code namespace/host}) reachable on a port, or on all ports. */
  public record IstioEgressListener(SidecarPort port, String bind, CaptureMode captureMode, List<String> hosts)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (port != null) {
        var p = v.at("port");
        checkPortNameAndProtocol(v, p, port);
        if (port.numberOrZero() == 0) {
          if (bind == null || !bind.startsWith(WorkloadEntry.UDS)) {
            v.invalid(p.child("number"), 0, "sidecar: ports with 0 value must have a unix domain socket bind address");
          } else {
            var err = HostRules.unixAddressError(bind.substring(WorkloadEntry.UDS.length()));
            if (err != null) {
              v.invalid("bind", bind, err);
            }
          }
          if (captureMode != null && captureMode != CaptureMode.DEFAULT && captureMode != CaptureMode.NONE) {
            v.invalid("captureMode", captureMode.name(), "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
          }
        } else {
          NetRules.checkPort(v, p.child("number"), port.numberOrZero());
          if (bind != null && !bind.isEmpty() && !HostRules.isIp(bind)) {
            v.invalid("bind", bind, bind + " is not a valid IP");
          }
        }
      }
      if (hosts.isEmpty()) {
        v.required(v.at("hosts"), "sidecar: egress listener must contain at least one host");
      }
      checkHosts(v);
    }

    private void checkHosts(Validation v) {
      Map<String, Set<String>> byNamespace = new HashMap<>();
      for (int i = 0; i < hosts.size(); i++) {
        var h = hosts.get(i);
        var hp = v.at("hosts").index(i);
        var err = HostRules.checkNamespaceSlashHost(h, false);
        if (err != null) {
          v.invalid(hp, h, "sidecar: " + err);
          continue;
        }
        int slash = h.indexOf('/');
        var ns = h.substring(0, slash);
        if (ns.equals(".") && v.namespace() != null) {
          ns = v.namespace();
        }
        var svc = h.substring(slash + 1);
        var known = byNamespace.computeIfAbsent(ns, k -> new HashSet<>());
        if (svc.equals("*") ? !known.isEmpty() : known.contains(svc) || known.contains("*")) {
          v.warn(hp, "duplicated egress host: " + h);
        }
        known.add(svc);
      }
      if (byNamespace.getOrDefault("*", Set.of()).contains("*") && byNamespace.size() != 1) {
        v.warn(v.at("hosts"), "`*/*` host select all resources, no other hosts can be added");
      }
    }
  }

  /** What the proxy does with traffic to destinations not in its registry, and the proxy to send it through. */
  public record OutboundTrafficPolicy(Mode mode, Destination egressProxy) implements Validatable {
    /** Allow any destination, or only registered ones (the default). */
    public enum Mode {
      REGISTRY_ONLY,
      ALLOW_ANY
    }

    @Override
    public void validate(Validation v) {
      if (egressProxy == null) {
        return;
      }
      var p = v.at("egressProxy");
      if (mode != Mode.ALLOW_ANY) {
        v.invalid(p, "object", "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
        return;
      }
      var err = HostRules.checkFqdn(egressProxy.host());
      if (err != null) {
        v.invalid(p.child("host"), egressProxy.host(), err);
      }
      if (egressProxy.port() == null) {
        v.required(p.child("port"), "sidecar: egress_proxy port must be non-nil");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (ingress.isEmpty() && egress.isEmpty() && outboundTrafficPolicy == null && inboundConnectionPool == null) {
      v.invalidObject("sidecar: empty configuration provided");
    }
    var inPorts = new HashSet<Long>();
    for (int i = 0; i < ingress.size(); i++) {
      var n = ingress.get(i).port().numberOrZero();
      if (!inPorts.add(n)) {
        v.invalid(v.at("ingress").index(i).child("port").child("number"), n, "sidecar: ports on IP bound listeners must be unique");
      }
    }
    var outPorts = new HashSet<Long>();
    var sockets = new HashSet<String>();
    boolean catchAll = false;
    for (int i = 0; i < egress.size(); i++) {
      var e = egress.get(i);
      var p = v.at("egress").index(i);
      if (e.port() == null) {
        if (catchAll) {
          v.invalid(p, "object", "sidecar: egress can have only one listener with empty port");
        } else if (i == egress.size() - 1) {
          catchAll = true;
        } else {
          v.invalid(p, "object", "sidecar: the egress listener with empty port should be the last listener in the list");
        }
        continue;
      }
      if (e.port().numberOrZero() == 0) {
        if (!sockets.add(e.bind() == null ? "" : e.bind())) {
          v.invalid(p.child("bind"), e.bind(), "sidecar: unix domain socket values for listeners must be unique");
        }
      } else if (!outPorts.add(e.port().numberOrZero())) {
        v.invalid(p.child("port").child("number"), e.port().numberOrZero(), "sidecar: ports on IP bound listeners must be unique");
      }
    }
  }

  static void checkPortNameAndProtocol(Validation v, FieldPath p, SidecarPort port) {
    if (port.name() != null && !port.name().isEmpty()) {
      NetRules.checkPortName(v, p.child("name"), port.name());
    }
    NetRules.checkProtocol(v, p.child("protocol"), port.protocol());
    if (port.targetPort() != null && port.targetPort() > 0) {
      v.invalid(p.child("targetPort"), port.targetPort(), "targetPort has no impact on Sidecars");
    }
  }

  /** Istio's forms: {@code 127.0.0.1:PORT}, {@code 0.0.0.0:PORT}, {@code [::1]:PORT}, {@code [::]:PORT}, {@code :PORT} or {@code unix://path}. */
  static void checkDefaultEndpoint(Validation v, FieldPath p, String endpoint) {
    if (endpoint.startsWith(WorkloadEntry.UDS)) {
      var err = HostRules.unixAddressError(endpoint.substring(WorkloadEntry.UDS.length()));
      if (err != null) {
        v.invalid(p, endpoint, err);
      }
      return;
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon < 0) {
      v.invalid(p, endpoint, "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset");
      return;
    }
    var host = endpoint.substring(0, colon);
    var port = endpoint.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (!host.isEmpty() && !host.equals("127.0.0.1") && !host.equals("0.0.0.0") && !host.equals("::1") && !host.equals("::")) {
      v.invalid(p, endpoint, "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset");
    }
    if (port.isEmpty() || port.length() > 9 || !port.chars().allMatch(Character::isDigit)) {
      v.invalid(p, endpoint, "sidecar: defaultEndpoint port (" + port + ") is not a number");
    } else {
      NetRules.checkPort(v, p, Long.parseLong(port));
    }
  }
}
