package io.meshwork.config.security;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * What a request does: host, port, method and path, each with its negation. Ports are decimal
 * strings; paths may use Istio's {@code {*}} and {@code {**}} templates.
 */
public record Operation(
    List<String> hosts,
    List<String> notHosts,
    List<String> ports,
    List<String> notPorts,
    List<String> methods,
    List<String> notMethods,
    List<String> paths,
    List<String> notPaths) implements Validatable {

  boolean hasPorts() {
    return !ports.isEmpty() || !notPorts.isEmpty();
  }

  @Override
  public void validate(Validation v) {
    if (hosts.isEmpty() && notHosts.isEmpty() && ports.isEmpty() && notPorts.isEmpty() && methods.isEmpty()
        && notMethods.isEmpty() && paths.isEmpty() && notPaths.isEmpty()) {
      v.invalidObject("an operation must set at least one field; remove it to match any operation");
    }
    AuthzValues.nonEmpty(v, v.at("hosts"), hosts);
    AuthzValues.nonEmpty(v, v.at("notHosts"), notHosts);
    AuthzValues.nonEmpty(v, v.at("methods"), methods);
    AuthzValues.nonEmpty(v, v.at("notMethods"), notMethods);
    AuthzValues.nonEmpty(v, v.at("paths"), paths);
    AuthzValues.nonEmpty(v, v.at("notPaths"), notPaths);
    AuthzValues.ports(v, v.at("ports"), ports);
    AuthzValues.ports(v, v.at("notPorts"), notPorts);
    AuthzValues.pathTemplates(v, v.at("paths"), paths);
    AuthzValues.pathTemplates(v, v.at("notPaths"), notPaths);
  }
}
