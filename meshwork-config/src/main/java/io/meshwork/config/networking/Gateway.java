package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
        var err = NetRules.checkNamespaceSlashHost(hosts.get(i), true);
        if (err != null) {
          v.invalid(v.at("hosts").index(i), hosts.get(i), err);
        }
      }
      var protocol = port.protocol() == null ? "" : port.protocol().toUpperCase(Locale.ROOT);
      if (protocol.isEmpty()) {
        v.required(v.at("port").child("protocol"), "a gateway server port needs a protocol (HTTP, HTTPS, TLS, TCP, ...)");
      }
      boolean tlsProtocol = protocol.equals("HTTPS") || protocol.equals("TLS");
      if (tlsProtocol && tls == null) {
        v.required(v.at("tls"), "server must have TLS settings for HTTPS/TLS protocols");
      }
      if (tls != null && !tlsProtocol && !tls.httpsRedirect()) {
        v.invalid(v.at("tls"), "object", "TLS settings are only allowed for HTTPS and TLS ports (or with httpsRedirect on HTTP)");
      }
      if (tls != null && tls.mode() == ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH && !protocol.equals("TLS")) {
        v.invalid(v.at("tls").child("mode"), "AUTO_PASSTHROUGH", "AUTO_PASSTHROUGH mode requires the TLS protocol");
      }
      if (bind != null && !bind.isEmpty() && !NetRules.isIp(bind) && !bind.startsWith("unix://")) {
        v.invalid("bind", bind, "bind must be an IP address or a unix:// socket path");
      }
      if (name != null && !name.isEmpty() && !NetRules.isDns1123Label(name)) {
        v.invalid("name", name, "server name must be a DNS-1123 label");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (servers.isEmpty()) {
      v.required(v.at("servers"), "gateway must have at least one server");
    }
    var names = new HashMap<String, Integer>();
    var ports = new HashMap<String, Integer>();
    for (int i = 0; i < servers.size(); i++) {
      var s = servers.get(i);
      var portName = s.port().name();
      if (portName != null && !portName.isEmpty()) {
        var prior = names.putIfAbsent(portName, s.port().number());
        if (prior != null && !prior.equals(s.port().number())) {
          v.invalid(v.at("servers").index(i).child("port").child("name"), portName,
              "port names in servers must be unique: duplicate name " + portName);
        }
      }
      if (s.name() != null && !s.name().isEmpty() && ports.putIfAbsent("server:" + s.name(), i) != null) {
        v.duplicate(v.at("servers").index(i).child("name"), s.name());
      }
    }
    NetRules.checkLabels(v, v.at("selector"), selector, true);
  }
}
