package io.meshwork.proxy.config;

import io.meshwork.proxy.config.RbacRequest.Cidr;
import java.util.List;

/**
 * One node of an Envoy RBAC {@code Permission} or {@code Principal} tree, compiled. Both trees use
 * the same node types (Envoy's {@code and_rules}/{@code and_ids}, {@code or_rules}/{@code or_ids},
 * {@code not_rule}/{@code not_id} are the same logic on different sides), so one evaluator serves
 * both. Nodes that need HTTP attributes do not match on a TCP connection (Envoy's network filter has
 * no headers, path or dynamic metadata).
 */
public sealed interface RbacRule {
  boolean matches(RbacRequest r);

  /** {@code any: true}. */
  record Any() implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return true;
    }
  }

  /** {@code and_rules} / {@code and_ids}: every child matches (an empty list matches). */
  record And(List<RbacRule> rules) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      for (var x : rules) {
        if (!x.matches(r)) {
          return false;
        }
      }
      return true;
    }
  }

  /** {@code or_rules} / {@code or_ids}: some child matches. */
  record Or(List<RbacRule> rules) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      for (var x : rules) {
        if (x.matches(r)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code not_rule} / {@code not_id}. */
  record Not(RbacRule rule) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return !rule.matches(r);
    }
  }

  /** {@code header}: a route header matcher over the request headers (pseudo-headers included). */
  record Header(HeaderMatcher matcher) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return r.head() != null && matcher.matches(r.head());
    }
  }

  /** {@code url_path}: the (normalized) path without the query. */
  record UrlPath(StringMatcher matcher) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return r.head() != null && matcher.matches(r.head().path());
    }
  }

  /** {@code destination_ip}: the local address the connection arrived on. */
  record DestinationIp(Cidr cidr) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return cidr.contains(r.localAddress());
    }
  }

  /** {@code destination_port}, or {@code destination_port_range} ([start, end)). */
  record DestinationPort(int start, int endExclusive) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return r.localPort() >= start && r.localPort() < endExclusive;
    }
  }

  /** {@code requested_server_name}: the TLS SNI (empty on plaintext). */
  record ServerName(StringMatcher matcher) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return matcher.matches(r.peer().sni());
    }
  }

  /**
   * {@code authenticated}: a peer certificate was verified; with a matcher, its URI SAN (the SPIFFE
   * id) must match. Plaintext connections never match.
   */
  record Authenticated(StringMatcher principalName) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      if (!r.peer().mutualTls()) {
        return false;
      }
      return principalName == null || principalName.matches(r.peer().spiffeUri());
    }
  }

  /** Which peer address an IP rule looks at. */
  enum Address { DIRECT, REMOTE }

  /** {@code direct_remote_ip} / {@code source_ip} (DIRECT) and {@code remote_ip} (REMOTE: x-forwarded-for aware). */
  record RemoteIp(Cidr cidr, Address which) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      return cidr.contains(which == Address.DIRECT ? r.directRemote() : r.remote());
    }
  }

  /**
   * {@code metadata}: a value of the request's dynamic metadata (namespace {@code filter}, then
   * {@code path} keys) matched as a string, or as a list where some element matches
   * ({@code list_match.one_of}); {@code invert} negates.
   */
  record Metadata(String filter, List<String> path, StringMatcher string, boolean list, boolean invert) implements RbacRule {
    @Override
    public boolean matches(RbacRequest r) {
      Object v = r.metadata().get(filter);
      for (var key : path) {
        v = v instanceof java.util.Map<?, ?> m ? m.get(key) : null;
      }
      boolean result;
      if (list) {
        result = false;
        if (v instanceof List<?> values) {
          for (var e : values) {
            if (e instanceof String s && string.matches(s)) {
              result = true;
              break;
            }
          }
        }
      } else {
        result = v instanceof String s && string.matches(s);
      }
      return result != invert;
    }
  }
}
