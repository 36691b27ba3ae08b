package io.meshwork.security.authz;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the authorization engine looks at, filled by the proxy per request (HTTP) or per
 * connection (TCP). On TCP only the connection fields are set; the engine then applies Istio's
 * rules for policies that name HTTP-only fields.
 *
 * @param protocol HTTP for a request, TCP for a connection
 * @param sourceIp the direct peer's address ({@code source.ip}, {@code ipBlocks})
 * @param remoteIp the original client's address ({@code remote.ip}, {@code remoteIpBlocks}): from
 *     X-Forwarded-For with trusted hops or the PROXY protocol; the direct peer when unknown
 * @param destinationIp the local address the connection arrived on
 * @param destinationPort the local port
 * @param sni the TLS server name the client asked for, or null
 * @param sourcePrincipal the peer's identity from its mTLS certificate without {@code spiffe://}
 *     ({@code cluster.local/ns/x/sa/y}), or null on plaintext
 * @param host the HTTP authority ({@code :authority}/{@code Host}), may carry a port
 * @param method the HTTP method
 * @param path the raw HTTP path as received (query included); the engine normalizes it
 * @param headers request headers by lower-case name
 * @param jwt what a verified JWT proved, or null when the request carried none
 */
public record RequestAttributes(
    Protocol protocol,
    InetAddress sourceIp,
    InetAddress remoteIp,
    InetAddress destinationIp,
    int destinationPort,
    String sni,
    String sourcePrincipal,
    String host,
    String method,
    String path,
    Map<String, List<String>> headers,
    JwtAttributes jwt) {

  /** Which filter chain asks. */
  public enum Protocol {
    HTTP,
    TCP
  }

  /**
   * The request principal and claims of a verified JWT.
   *
   * @param principal {@code iss/sub}
   * @param audiences the {@code aud} claim as a list
   * @param presenter the {@code azp} claim, or null
   * @param claims all claims as JSON-like values (String, Number, Boolean, List, Map)
   */
  public record JwtAttributes(String principal, List<String> audiences, String presenter, Map<String, Object> claims) {
    public JwtAttributes {
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
      claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
  }

  public RequestAttributes {
    headers = headers == null ? Map.of() : headers;
  }

  /** A new builder for an HTTP request. */
  public static Builder http() {
    return new Builder(Protocol.HTTP);
  }

  /** A new builder for a TCP connection. */
  public static Builder tcp() {
    return new Builder(Protocol.TCP);
  }

  /** The effective remote address: {@link #remoteIp} or, when unknown, the direct peer. */
  public InetAddress effectiveRemoteIp() {
    return remoteIp != null ? remoteIp : sourceIp;
  }

  /** All values of a header joined with {@code ,} as Envoy presents repeated headers, or null when absent. */
  public String header(String name) {
    var v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : String.join(",", v);
  }

  /** Builds attributes field by field; unset fields are absent. */
  public static final class Builder {
    private final Protocol protocol;
    private InetAddress sourceIp;
    private InetAddress remoteIp;
    private InetAddress destinationIp;
    private int destinationPort;
    private String sni;
    private String sourcePrincipal;
    private String host;
    private String method;
    private String path;
    private final Map<String, List<String>> headers = new TreeMap<>();
    private JwtAttributes jwt;

    private Builder(Protocol protocol) {
      this.protocol = protocol;
    }

    public Builder sourceIp(String ip) {
      this.sourceIp = ip(ip);
      return this;
    }

    public Builder remoteIp(String ip) {
      this.remoteIp = ip(ip);
      return this;
    }

    public Builder destination(String ip, int port) {
      this.destinationIp = ip(ip);
      this.destinationPort = port;
      return this;
    }

    public Builder sni(String s) {
      this.sni = s;
      return this;
    }

    public Builder sourcePrincipal(String p) {
      this.sourcePrincipal = p;
      return this;
    }

    public Builder host(String h) {
      this.host = h;
      return this;
    }

    public Builder method(String m) {
      this.method = m;
      return this;
    }

    public Builder path(String p) {
      this.path = p;
      return this;
    }

    /** Adds a header value (names are case-insensitive). */
    public Builder header(String name, String value) {
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>()).add(value);
      return this;
    }

    public Builder jwt(JwtAttributes j) {
      this.jwt = j;
      return this;
    }

    public RequestAttributes build() {
      var h = new TreeMap<String, List<String>>();
      headers.forEach((k, v) -> h.put(k, List.copyOf(v)));
      return new RequestAttributes(protocol, sourceIp, remoteIp, destinationIp, destinationPort, sni, sourcePrincipal, host, method, path,
          java.util.Collections.unmodifiableMap(h), jwt);
    }

    private static InetAddress ip(String literal) {
      if (literal == null) {
        return null;
      }
      try {
        return literal.indexOf(':') >= 0 ? java.net.Inet6Address.ofLiteral(literal) : java.net.Inet4Address.ofLiteral(literal);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not an IP address literal: " + literal, e);
      }
    }
  }
}
