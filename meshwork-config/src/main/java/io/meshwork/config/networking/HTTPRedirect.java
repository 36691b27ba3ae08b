package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;

/** Answers with a 3xx redirect instead of forwarding. {@code port} and {@code derivePort} are a oneof. */
public record HTTPRedirect(
    String uri, String authority, @Port Integer port, RedirectPortSelection derivePort, String scheme, Integer redirectCode)
    implements Validatable {

  /** How the redirect's port is chosen when not given. */
  public enum RedirectPortSelection {
    FROM_PROTOCOL_DEFAULT,
    FROM_REQUEST_PORT
  }

  @Override
  public void validate(Validation v) {
    if (port != null && derivePort != null) {
      v.invalidObject("only one of port or derivePort can be set");
    }
    if (empty(uri) && empty(authority) && empty(scheme) && port == null && derivePort == null) {
      v.invalidObject("redirect must specify URI, authority, scheme, or port");
    }
    if (redirectCode != null && redirectCode != 0 && (redirectCode < 300 || redirectCode > 399)) {
      v.invalid("redirectCode", redirectCode, redirectCode + " is not a valid redirect code, must be 3xx");
    }
    if (!empty(scheme) && !scheme.equals("http") && !scheme.equals("https")) {
      v.invalid("scheme", scheme, "invalid redirect scheme, must be \"http\" or \"https\"");
    }
  }

  static boolean empty(String s) {
    return s == null || s.isEmpty();
  }
}
