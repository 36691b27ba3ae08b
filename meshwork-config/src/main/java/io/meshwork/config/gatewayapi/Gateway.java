package io.meshwork.config.gatewayapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.MinItems;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * gateway.networking.k8s.io Gateway: an ingress point (the Gateway API counterpart of Istio's
 * networking Gateway, which is a different record, {@code io.meshwork.config.networking.Gateway}).
 * Its listeners say which ports, protocols and hostnames it serves and which routes may attach.
 *
 * @param gatewayClassName the GatewayClass ({@code istio} for Istio-compatible controllers)
 * @param listeners at least one, names unique
 * @param addresses requested addresses; the implementation picks when empty
 * @param infrastructure labels, annotations and parameters for the generated deployment
 * @param allowedListeners experimental ListenerSet attachment, kept as written
 * @param backendTLS experimental client certificate for backend TLS, kept as written
 */
public record Gateway(
    @Required @MinLength(1) @MaxLength(253) String gatewayClassName,
    @Required @MinItems(1) @MaxItems(64) List<Listener> listeners,
    @MaxItems(16) List<GatewaySpecAddress> addresses,
    GatewayInfrastructure infrastructure,
    JsonNode allowedListeners,
    JsonNode backendTLS) implements Validatable {

  /** An address requested for the Gateway: an IP address, hostname or named address. */
  public record GatewaySpecAddress(
      @MinLength(1) @MaxLength(253) @Pattern(Names.ADDRESS_TYPE) String type,
      @MinLength(1) @MaxLength(253) String value) implements Validatable {
    @Override
    public void validate(Validation v) {
      String t = type == null ? "IPAddress" : type;
      if (value == null || value.isEmpty()) {
        if (!t.equals("IPAddress")) {
          v.required(v.at("value"), "a " + t + " address needs a value");
        }
        return;
      }
      if (t.equals("IPAddress") && !value.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
        v.invalidObject("value must be an IP address");
      }
      if (t.equals("Hostname") && !value.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
        v.invalidObject("Hostname value must only contain valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
      }
    }
  }

  /** What the generated gateway deployment gets. */
  public record GatewayInfrastructure(
      @MaxProperties(8) Map<String, @MaxLength(4096) String> labels,
      @MaxProperties(8) Map<String, @MaxLength(4096) String> annotations,
      ParametersRef parametersRef) {}

  /** A same-namespace object with implementation-specific parameters. */
  public record ParametersRef(
      @Required @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name) {}

  @Override
  public void validate(Validation v) {
    var names = new HashSet<String>();
    var combos = new HashSet<String>();
    var broken = new java.util.LinkedHashSet<String>();
    for (int i = 0; i < listeners.size(); i++) {
      var l = listeners.get(i);
      if (!names.add(l.name())) {
        broken.add("Listener name must be unique within the Gateway");
      }
      if (!combos.add(l.port() + "/" + l.protocol() + "/" + Objects.toString(l.hostname(), ""))) {
        broken.add("Combination of port, protocol and hostname must be unique for each listener");
      }
      if (List.of("HTTP", "TCP", "UDP").contains(l.protocol()) && l.tls() != null) {
        broken.add("tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']");
      }
      if (l.protocol().equals("HTTPS") && l.tls() != null && l.tls().mode() == Listener.TLSMode.Passthrough) {
        broken.add("tls mode must be Terminate for protocol HTTPS");
      }
      if (List.of("TCP", "UDP").contains(l.protocol()) && l.hostname() != null && !l.hostname().isEmpty()) {
        broken.add("hostname must not be specified for protocols ['TCP', 'UDP']");
      }
      if ((l.protocol().equals("HTTPS") || l.protocol().equals("TLS")) && l.tls() == null) {
        v.warn(v.at("listeners").index(i), "a listener with protocol " + l.protocol() + " and no tls settings cannot be programmed; add tls");
      }
    }
    // Gateway API states these as CEL rules on the listeners array, so they are reported there, once each.
    for (var message : broken) {
      v.invalid(v.at("listeners"), List.of(), message);
    }
    var ips = new HashSet<String>();
    var hosts = new HashSet<String>();
    boolean dupIp = false;
    boolean dupHost = false;
    for (var a : addresses) {
      String t = a.type() == null ? "IPAddress" : a.type();
      dupIp |= a.value() != null && t.equals("IPAddress") && !ips.add(a.value());
      dupHost |= a.value() != null && t.equals("Hostname") && !hosts.add(a.value());
    }
    if (dupIp) {
      v.invalid(v.at("addresses"), List.of(), "IPAddress values must be unique");
    }
    if (dupHost) {
      v.invalid(v.at("addresses"), List.of(), "Hostname values must be unique");
    }
  }
}
