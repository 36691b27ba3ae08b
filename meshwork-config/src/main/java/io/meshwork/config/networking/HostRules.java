package io.meshwork.config.networking;

import io.meshwork.config.types.Dns;

/**
 * Istio's rules for host names and addresses: wildcard domains and FQDNs (DNS-1123 labels, any
 * case), {@code namespace/host} references of gateways and sidecars, host overlap, IP addresses
 * and CIDR blocks as Go's netip parses them, and unix socket paths.
 */
final class HostRules {

  private HostRules() {}

  // ------------------------------------------------------------------ hosts

  /**
   * Istio's ValidateWildcardDomain: an FQDN or short name whose first label may be {@code *} or
   * carry a {@code *} prefix ({@code *.example.com}, {@code *x}); the top-level label is not
   * all digits; a trailing dot is allowed. Returns the problem, or null.
   */
  static String checkWildcardDomain(String host) {
    var pre = dnsPreconditions(host);
    if (pre != null) {
      return pre;
    }
    int dot = host.indexOf('.');
    var first = dot < 0 ? host : host.substring(0, dot);
    if (!isWildcardLabel(first)) {
      return "domain name " + NetRules.quote(host) + " invalid (label " + NetRules.quote(first) + " invalid"
          + (first.indexOf('*') >= 0 ? ": a wildcard may only start the first label, as in *.example.com)" : ")");
    }
    return dot < 0 ? null : checkDnsLabels(host, host.substring(dot + 1));
  }

  /** Istio's ValidateFQDN: DNS labels without wildcards. */
  static String checkFqdn(String name) {
    var pre = dnsPreconditions(name);
    return pre != null ? pre : checkDnsLabels(name, name);
  }

  private static String dnsPreconditions(String name) {
    if (name == null || name.isEmpty()) {
      return "empty domain name not allowed";
    }
    if (name.length() > 255) {
      return "domain name " + NetRules.quote(name) + " too long (max 255)";
    }
    return null;
  }

  private static String checkDnsLabels(String full, String domain) {
    var parts = domain.split("\\.", -1);
    var tld = parts[parts.length - 1];
    if (!tld.isEmpty() && tld.chars().allMatch(Character::isDigit)) {
      return "domain name " + NetRules.quote(full) + " invalid (top level domain " + NetRules.quote(tld) + " cannot be all-numeric)";
    }
    for (int i = 0; i < parts.length; i++) {
      if (i == parts.length - 1 && parts[i].isEmpty() && i > 0) {
        return null;
      }
      if (!isDns1123Label(parts[i])) {
        return "domain name " + NetRules.quote(full) + " invalid (label " + NetRules.quote(parts[i]) + " invalid)";
      }
    }
    return null;
  }

  static boolean isWildcardLabel(String label) {
    if (label.equals("*")) {
      return true;
    }
    if (label.startsWith("*-")) {
      return label.length() <= 63 && isDns1123Label(label.substring(2));
    }
    if (label.startsWith("*")) {
      return label.length() <= 63 && isDns1123Label(label.substring(1));
    }
    return isDns1123Label(label);
  }

  static boolean isDns1123Label(String s) {
    return Dns.isLabel(s, true);
  }

  /**
   * Istio's ValidateNamespaceSlashWildcardHostname for Gateway servers ({@code gateway}: a bare
   * host or an IP is allowed, namespace {@code *}, {@code .} or a name) and Sidecar egress hosts
   * (the namespace part is required and may also be {@code ~}). The host part must be {@code *}
   * or an FQDN, never a short name or a partial wildcard.
   */
  static String checkNamespaceSlashHost(String value, boolean gateway) {
    int slash = value.indexOf('/');
    if (slash < 0) {
      return gateway ? checkSlashHostPart(value, true) : "host must be of form namespace/dnsName";
    }
    var ns = value.substring(0, slash);
    var host = value.substring(slash + 1);
    if (ns.isEmpty() || host.isEmpty()) {
      return "config namespace and dnsName in host entry cannot be empty";
    }
    boolean nsOk = ns.equals("*") || ns.equals(".") || (!gateway && ns.equals("~")) || isDns1123Label(ns);
    if (!nsOk) {
      return "invalid namespace value " + NetRules.quote(ns) + " in " + (gateway ? "gateway" : "sidecar");
    }
    return checkSlashHostPart(host, gateway);
  }

  private static String checkSlashHostPart(String host, boolean gateway) {
    if (!host.equals("*") && !host.contains(".") && !(gateway && isIp(host))) {
      return "short names (non FQDN) are not allowed";
    }
    var err = checkWildcardDomain(host);
    if (err != null && !(gateway && isIp(host))) {
      return err;
    }
    return partialWildcard(host);
  }

  /** Istio's ValidatePartialWildCard: a wildcard must be the whole host or a leading {@code *.} label. */
  static String partialWildcard(String host) {
    if (host.contains("*") && host.length() != 1 && !host.startsWith("*.")) {
      return "partial wildcard " + NetRules.quote(host) + " not allowed";
    }
    return null;
  }

  /**
   * Whether host {@code a} and host {@code b} overlap (Istio's host.Name.Matches): equal, or one is
   * a wildcard whose suffix the other ends with.
   */
  static boolean hostsOverlap(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    boolean wa = a.startsWith("*");
    boolean wb = b.startsWith("*");
    if (wa && wb) {
      var sa = a.substring(1);
      var sb = b.substring(1);
      return sa.length() > sb.length() ? sa.endsWith(sb) : sb.endsWith(sa);
    }
    if (wa) {
      return b.endsWith(a.substring(1));
    }
    if (wb) {
      return a.endsWith(b.substring(1));
    }
    return false;
  }

  /** Whether host {@code sub} lies within host {@code of} (Istio's host.Name.SubsetOf). */
  static boolean hostSubsetOf(String sub, String of) {
    if (of.startsWith("*")) {
      if (sub.startsWith("*")) {
        return sub.substring(1).endsWith(of.substring(1));
      }
      return sub.endsWith(of.substring(1));
    }
    return !sub.startsWith("*") && sub.equals(of);
  }

  // ------------------------------------------------------------------ addresses

  static boolean isIp(String s) {
    return isIpv4(s) || isIpv6(s);
  }

  static boolean isIpv4(String s) {
    var parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (var p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255
          || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String s) {
    if (s.isEmpty() || s.indexOf(':') < 0) {
      return false;
    }
    int zone = s.indexOf('%');
    if (zone >= 0) {
      if (zone == s.length() - 1) {
        return false;
      }
      s = s.substring(0, zone);
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    String[] groups = s.split(":", -1);
    int count = 0;
    for (int i = 0; i < groups.length; i++) {
      var g = groups[i];
      if (g.isEmpty()) {
        continue;
      }
      if (i == groups.length - 1 && g.indexOf('.') >= 0) {
        if (!isIpv4(g)) {
          return false;
        }
        count += 2;
        continue;
      }
      if (g.length() > 4 || !g.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        return false;
      }
      count++;
    }
    if (dbl < 0) {
      return count == 8 && !s.startsWith(":") && !s.endsWith(":");
    }
    if ((s.startsWith(":") && !s.startsWith("::")) || (s.endsWith(":") && !s.endsWith("::"))) {
      return false;
    }
    return count < 8;
  }

  /** Istio's ValidateIPSubnet: an IP address or a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). */
  static boolean isIpOrCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return isIp(s);
    }
    var ip = s.substring(0, slash);
    var bits = s.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)) {
      return false;
    }
    int n = Integer.parseInt(bits);
    return isIpv4(ip) ? n <= 32 : isIpv6(ip) && ip.indexOf('%') < 0 && n <= 128;
  }

  /** Istio's ValidateUnixAddress for the part after {@code unix://}: an absolute file path or an abstract {@code @name}. */
  static String unixAddressError(String path) {
    if (path.isEmpty()) {
      return "unix address must not be empty";
    }
    if (path.startsWith("@")) {
      return null;
    }
    if (!path.startsWith("/") || path.endsWith("/")) {
      return path + " is not an absolute path to a file";
    }
    return null;
  }

}
