package io.meshwork.proxy.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Who is at the other end of a downstream connection, as the transport proved it. The TLS layer
 * sets it on the connection's channel once a handshake with a client certificate completes;
 * authorization ({@code source.principal}), telemetry ({@code source_principal},
 * {@code connection_security_policy}) and access logs read it. HTTP/2 stream channels look it up
 * on their parent connection.
 *
 * @param spiffeUri the peer certificate's SPIFFE URI SAN ({@code spiffe://td/ns/N/sa/S}), or empty
 * @param mutualTls whether the peer presented a certificate that chains to the mesh root
 * @param sni the server name the peer asked for in its ClientHello, or empty
 */
public record PeerIdentity(String spiffeUri, boolean mutualTls, String sni) {
  /** The channel attribute under which the TLS layer publishes the identity. */
  public static final AttributeKey<PeerIdentity> KEY = AttributeKey.valueOf("meshwork.peerIdentity");

  /** A plaintext connection: no identity. */
  public static final PeerIdentity NONE = new PeerIdentity("", false, "");

  public PeerIdentity {
    spiffeUri = spiffeUri == null ? "" : spiffeUri;
    sni = sni == null ? "" : sni;
  }

  /** The identity of the connection {@code ch} belongs to (its parent for an HTTP/2 stream). */
  public static PeerIdentity of(Channel ch) {
    for (Channel c = ch; c != null; c = c.parent()) {
      var v = c.attr(KEY).get();
      if (v != null) {
        return v;
      }
      if (c.parent() == null) {
        break;
      }
    }
    return NONE;
  }

  /**
   * Istio's principal form, the SPIFFE URI without its scheme ({@code cluster.local/ns/default/sa/x}),
   * as AuthorizationPolicy {@code principals} and {@code source.principal} use it; empty when none.
   */
  public String principal() {
    return spiffeUri.startsWith("spiffe://") ? spiffeUri.substring("spiffe://".length()) : spiffeUri;
  }

  /** Istio's {@code connection_security_policy} metric label value. */
  public String securityPolicy() {
    return mutualTls ? "mutual_tls" : "none";
  }
}
