package io.meshwork.config;

import java.util.List;
import java.util.Locale;

/**
 * Host names the Kubernetes way: {@code reviews} in namespace {@code default} is
 * {@code reviews.default.svc.cluster.local}; so are {@code reviews.default} and
 * {@code reviews.default.svc}. Other names (with a dot that is not a namespace) stand as written.
 */
public final class HostNames {
  public static final String DEFAULT_DOMAIN = "cluster.local";

  private HostNames() {}

  /** The fully qualified name of a host written in a resource of namespace {@code ns}. */
  public static String fqdn(String host, String ns) {
    var h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("*")) {
      return h;
    }
    var parts = h.split("\\.", -1);
    return switch (parts.length) {
      case 1 -> h + "." + ns + ".svc." + DEFAULT_DOMAIN;
      case 2 -> h + ".svc." + DEFAULT_DOMAIN;
      case 3 -> parts[2].equals("svc") ? h + "." + DEFAULT_DOMAIN : h;
      default -> h;
    };
  }

  /**
   * Names to try, most specific first: the Kubernetes expansion, then the name as written (a
   * two-label name such as {@code example.com} may be an external host of a ServiceEntry).
   */
  public static List<String> candidates(String host, String ns) {
    var f = fqdn(host, ns);
    var h = host.toLowerCase(Locale.ROOT);
    return f.equals(h) ? List.of(f) : List.of(f, h);
  }

  /** The namespace of a cluster-local FQDN ({@code reviews.default.svc.cluster.local} → {@code default}), or null. */
  public static String namespaceOf(String fqdn) {
    var suffix = ".svc." + DEFAULT_DOMAIN;
    if (!fqdn.endsWith(suffix)) {
      return null;
    }
    var parts = fqdn.substring(0, fqdn.length() - suffix.length()).split("\\.");
    return parts.length == 2 ? parts[1] : null;
  }

  /** Whether {@code pattern} (exact, or {@code *.suffix}, or {@code *}) covers {@code host}. */
  public static boolean matches(String pattern, String host) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      return host.endsWith(pattern.substring(1));
    }
    return pattern.equalsIgnoreCase(host);
  }
}
