package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * An edge load balancer's listeners (networking.istio.io Gateway, not the Gateway API kind):
 * the servers (port, hosts, TLS) and the labels of the gateway workloads that run them.
 */
public record Gateway(List<Server> servers, Map<String, String> selector) implements Validatable {

  /** One listener: a port, the hosts it serves ({@code namespace/host} form allowed) and its TLS. */
  public record Server(
      @Required Port port, String bind, List<String> hosts, ServerTLSSettings tls, String defaultEndpoint, String name)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (hosts.isEmpty()) {
        v.required(v.at("hosts"), "server config must contain at least one host");
      }
      for (int i = 0; i < hosts.size(); i++) {
        var err = HostRules.checkNamespaceSlashHost(hosts.get(i), true);
        if (err != null) {
          v.invalid(v.at("hosts").index(i), hosts.get(i), err);
        }
      }
      boolean portOk = checkPort(v);
      checkBind(v);
      var protocol = port.protocol();
      if (portOk) {
        boolean isTls = NetRules.isTlsProtocol(protocol);
        if (isTls && tls == null) {
          v.required(v.at("tls"), "server must have TLS settings for HTTPS/TLS protocols");
        } else if (!isTls && tls != null) {
          if (NetRules.isHttpProtocol(protocol)) {
            boolean passthrough = tls.effectiveMode() == ServerTLSSettings.TLSmode.PASSTHROUGH
                || tls.effectiveMode() == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH;
            if (!passthrough || ServerTLSSettings.set(tls.caCertificates()) || ServerTLSSettings.set(tls.privateKey())
                || ServerTLSSettings.set(tls.serverCertificate())) {
              v.invalid(v.at("tls"), "object", "server cannot have TLS settings for plain text HTTP ports");
            }
          } else {
            v.invalid(v.at("tls"), "object", "server cannot have TLS settings for non HTTPS/TLS ports");
          }
        }
      }
      if (tls != null && tls.httpsRedirect() && !NetRules.isHttpProtocol(protocol)) {
        v.warn(v.at("tls").child("httpsRedirect"), "tls.httpsRedirect should only be used with http servers");
      }
    }

    private boolean checkPort(Validation v) {
      var p = v.at("port");
      int before = v.errorCount();
      var protocol = port.protocol() == null ? "" : port.protocol();
      if (!NetRules.isProtocol(protocol)) {
        v.invalid(p.child("protocol"), protocol,
            "invalid protocol \"" + protocol + "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
      }
      long number = port.number();
      if (number > 0 || bind == null || !bind.startsWith(WorkloadEntry.UDS)) {
        NetRules.checkPort(v, p.child("number"), number);
      }
      if (port.targetPort() != null && port.targetPort() > 0) {
        v.invalid(p.child("targetPort"), port.targetPort(), "targetPort has no impact on Gateways");
      }
      if (port.name() == null || port.name().isEmpty()) {
        v.required(p.child("name"), "port name must be set");
      }
      return v.errorCount() == before;
    }

    private void checkBind(Validation v) {
      if (bind == null || bind.isEmpty()) {
        return;
      }
      if (bind.startsWith(WorkloadEntry.UDS)) {
        var err = HostRules.unixAddressError(bind.substring(WorkloadEntry.UDS.length()));
        if (err != null) {
          v.invalid("bind", bind, err);
        }
        if (port.number() != 0) {
          v.invalid(v.at("port").child("number"), port.number(), "port number must be 0 for unix domain socket: " + bind);
        }
      } else if (!HostRules.isIp(bind)) {
        v.invalid("bind", bind, bind + " is not a valid IP");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (servers.isEmpty()) {
      v.required(v.at("servers"), "gateway must have at least one server");
    }
    var names = new HashSet<String>();
    for (int i = 0; i < servers.size(); i++) {
      var portName = servers.get(i).port().name();
      if (!names.add(portName == null ? "" : portName)) {
        v.invalid(v.at("servers").index(i).child("port").child("name"), portName,
            "port names in servers must be unique: duplicate name " + portName);
      }
    }
    NetRules.checkLabels(v, v.at("selector"), selector);
  }
}
