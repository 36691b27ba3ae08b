package io.meshwork.config.networking;

import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** Hands an HTTP route over to another (hostless) VirtualService, by name and namespace. */
public record Delegate(String name, String namespace) implements Validatable {
  @Override
  public void validate(Validation v) {
    if (name == null || name.isEmpty()) {
      v.required(v.at("name"), "delegate name is required");
    } else if (name.length() > 253 || HostRules.checkFqdn(name) != null || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
      v.invalid("name", name, "delegate name must be a lowercase DNS-1123 subdomain");
    }
    if (namespace != null && !namespace.isEmpty() && !HostRules.isDns1123Label(namespace)) {
      v.invalid("namespace", namespace, "delegate namespace must be a DNS-1123 label");
    }
  }
}
