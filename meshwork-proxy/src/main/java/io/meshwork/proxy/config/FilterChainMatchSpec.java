package io.meshwork.proxy.config;

import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One chain's {@code filter_chain_match}, resolved for matching. Each criterion scores a connection:
 * {@code -1} does not match, {@code 0} the criterion is empty (matches anything, least specific),
 * higher numbers are more specific matches (a longer IP prefix, an exact server name over a
 * {@code *.suffix} wildcard). {@link FilterChainSelector} keeps, criterion by criterion, the chains
 * with the best score, which is Envoy's "most specific wins" order.
 *
 * @param destinationPort null: any
 * @param prefixRanges destination IP ranges; empty: any
 * @param serverNames exact names and {@code *.suffix} wildcards, lower case; empty: any
 * @param transportProtocol {@code tls}, {@code raw_buffer}, or empty: any
 * @param applicationProtocols empty: any
 */
public record FilterChainMatchSpec(Integer destinationPort, List<Cidr> prefixRanges, Set<String> serverNames,
    String transportProtocol, Set<String> applicationProtocols) {
  /** Scores of an exact server name; wildcards score their suffix length, always less. */
  private static final int EXACT_NAME = 1 << 20;

  public FilterChainMatchSpec {
    prefixRanges = List.copyOf(prefixRanges);
    serverNames = Set.copyOf(serverNames);
    applicationProtocols = Set.copyOf(applicationProtocols);
  }

  /** A destination IP range ({@code CidrRange}). */
  public record Cidr(byte[] prefix, int length) {
    boolean contains(InetAddress address) {
      var a = address.getAddress();
      if (a.length != prefix.length) {
        return false;
      }
      for (int bit = 0; bit < length; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((a[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Cidr c && c.length == length && java.util.Arrays.equals(c.prefix, prefix);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(prefix) * 31 + length;
    }
  }

  /** Reads a {@code filter_chain_match}; the source criteria are refused rather than ignored. */
  static FilterChainMatchSpec of(FilterChainMatch m, String path) throws ConfigException {
    if (m.getSourcePrefixRangesCount() > 0 || m.getDirectSourcePrefixRangesCount() > 0 || m.getSourcePortsCount() > 0
        || m.getSourceType() != FilterChainMatch.ConnectionSourceType.ANY) {
      throw new ConfigException(path, "source criteria (source_type, source_prefix_ranges, direct_source_prefix_ranges,"
          + " source_ports) are not supported yet; match on destination_port, prefix_ranges, server_names,"
          + " transport_protocol or application_protocols");
    }
    var ranges = new ArrayList<Cidr>();
    for (int i = 0; i < m.getPrefixRangesCount(); i++) {
      var r = m.getPrefixRanges(i);
      var rPath = path + ".prefix_ranges[" + i + "]";
      byte[] prefix;
      try {
        prefix = InetAddress.getByName(r.getAddressPrefix()).getAddress();
      } catch (UnknownHostException e) {
        throw new ConfigException(rPath + ".address_prefix", "\"" + r.getAddressPrefix() + "\" is not an IP address");
      }
      int len = r.hasPrefixLen() ? r.getPrefixLen().getValue() : 0;
      if (len > prefix.length * 8) {
        throw new ConfigException(rPath + ".prefix_len", "must be at most " + prefix.length * 8);
      }
      ranges.add(new Cidr(prefix, len));
    }
    var names = new java.util.HashSet<String>();
    for (int i = 0; i < m.getServerNamesCount(); i++) {
      var n = m.getServerNames(i).toLowerCase(Locale.ROOT);
      if (n.isEmpty() || (n.contains("*") && !(n.startsWith("*.") && n.indexOf('*', 1) < 0))) {
        throw new ConfigException(path + ".server_names[" + i + "]",
            "\"" + m.getServerNames(i) + "\" is not a server name; use an exact name or a *.suffix wildcard");
      }
      names.add(n);
    }
    var tp = m.getTransportProtocol();
    if (!tp.isEmpty() && !tp.equals("tls") && !tp.equals("raw_buffer")) {
      throw new ConfigException(path + ".transport_protocol", "\"" + tp + "\" is not detected; use tls or raw_buffer");
    }
    return new FilterChainMatchSpec(m.hasDestinationPort() ? m.getDestinationPort().getValue() : null, ranges, names, tp,
        Set.copyOf(m.getApplicationProtocolsList()));
  }

  int portScore(ConnectionFacts c) {
    if (destinationPort == null) {
      return 0;
    }
    return c.destination() != null && c.destination().getPort() == destinationPort ? 1 : -1;
  }

  int ipScore(ConnectionFacts c) {
    if (prefixRanges.isEmpty()) {
      return 0;
    }
    int best = -1;
    var ip = c.destination() == null ? null : c.destination().getAddress();
    for (var r : prefixRanges) {
      if (ip != null && r.contains(ip)) {
        best = Math.max(best, r.length() + 1);
      }
    }
    return best;
  }

  int serverNameScore(ConnectionFacts c) {
    if (serverNames.isEmpty()) {
      return 0;
    }
    var sni = c.serverName();
    if (sni == null) {
      return -1;
    }
    if (serverNames.contains(sni)) {
      return EXACT_NAME;
    }
    int best = -1;
    for (var n : serverNames) {
      // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com"
      if (n.startsWith("*.") && sni.length() > n.length() - 1 && sni.endsWith(n.substring(1))) {
        best = Math.max(best, n.length());
      }
    }
    return best;
  }

  int transportScore(ConnectionFacts c) {
    if (transportProtocol.isEmpty()) {
      return 0;
    }
    return transportProtocol.equals(c.transportProtocol()) ? 1 : -1;
  }

  int applicationScore(ConnectionFacts c) {
    if (applicationProtocols.isEmpty()) {
      return 0;
    }
    for (var p : c.applicationProtocols()) {
      if (applicationProtocols.contains(p)) {
        return 1;
      }
    }
    return -1;
  }

  /** Whether a connection must be inspected (first bytes: TLS ClientHello) before this chain can be chosen. */
  boolean needsInspection() {
    return !serverNames.isEmpty() || !transportProtocol.isEmpty() || !applicationProtocols.isEmpty();
  }
}
