package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Validation;

/** Rules shared by every kind of backend reference. */
final class BackendRefs {
  private BackendRefs() {}

  /** Gateway API's CEL rule: a reference to a core Service must give the port. */
  static void requirePort(Validation v, String group, String kind, Integer port) {
    boolean service = (group == null || group.isEmpty()) && (kind == null || kind.equals("Service"));
    if (service && port == null) {
      v.invalidObject("Must have port for Service reference");
    }
  }
}
