package io.meshwork.proxy.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A route configuration with its virtual hosts indexed by domain, searched in Envoy's order: exact
 * domain, then the longest {@code *.suffix} wildcard, then the longest {@code prefix.*} wildcard,
 * then {@code *}. Domains are matched against the whole Host header (ports included, as in Envoy)
 * unless {@code stripAnyPort} is set, in which case the port is removed first.
 */
public final class RouteTable {
  private final String name;
  private final List<VirtualHost> virtualHosts;
  private final Map<String, VirtualHost> exact = new HashMap<>();
  private final List<Map.Entry<String, VirtualHost>> suffixes = new ArrayList<>();
  private final List<Map.Entry<String, VirtualHost>> prefixes = new ArrayList<>();
  private final HeaderMutations requestHeaders;
  private final HeaderMutations responseHeaders;
  private final boolean stripAnyPort;
  private VirtualHost any;

  public RouteTable(String name, List<VirtualHost> virtualHosts, HeaderMutations requestHeaders,
      HeaderMutations responseHeaders, boolean stripAnyPort) {
    this.name = name;
    this.virtualHosts = List.copyOf(virtualHosts);
    this.requestHeaders = requestHeaders;
    this.responseHeaders = responseHeaders;
    this.stripAnyPort = stripAnyPort;
    for (var vh : virtualHosts) {
      for (var d : vh.domains()) {
        var domain = d.toLowerCase(Locale.ROOT);
        if (domain.equals("*")) {
          any = vh;
        } else if (domain.startsWith("*")) {
          suffixes.add(Map.entry(domain.substring(1), vh));
        } else if (domain.endsWith("*")) {
          prefixes.add(Map.entry(domain.substring(0, domain.length() - 1), vh));
        } else {
          exact.put(domain, vh);
        }
      }
    }
    Comparator<Map.Entry<String, VirtualHost>> longestFirst = Comparator.comparingInt(e -> -e.getKey().length());
    suffixes.sort(longestFirst);
    prefixes.sort(longestFirst);
  }

  public String name() {
    return name;
  }

  public List<VirtualHost> virtualHosts() {
    return virtualHosts;
  }

  public HeaderMutations requestHeaders() {
    return requestHeaders;
  }

  public HeaderMutations responseHeaders() {
    return responseHeaders;
  }

  /** The virtual host serving this Host header value, or null. */
  public VirtualHost virtualHost(String authority) {
    var host = authority == null ? "" : authority.toLowerCase(Locale.ROOT);
    if (stripAnyPort) {
      host = stripPort(host);
    }
    var vh = exact.get(host);
    if (vh != null) {
      return vh;
    }
    // A wildcard never matches the empty remainder: "*.example.com" does not match ".example.com".
    for (var e : suffixes) {
      if (host.length() > e.getKey().length() && host.endsWith(e.getKey())) {
        return e.getValue();
      }
    }
    for (var e : prefixes) {
      if (host.length() > e.getKey().length() && host.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return any;
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 ? host.substring(0, close + 1) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon >= 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }
}
