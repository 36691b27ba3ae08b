package io.meshwork.proxy.mtls;

import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.X509Certificate;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Publishes {@link PeerIdentity} on the downstream channel once its TLS handshake completes: the
 * client certificate's SPIFFE URI SAN, whether it is mutual TLS (a client certificate verified
 * against the mesh roots), and the SNI the client sent. Authorization and telemetry read it.
 */
public final class PeerIdentityHandler extends ChannelInboundHandlerAdapter {
  private final boolean meshRoots;

  /** @param meshRoots whether the TLS context verifies client certificates against the mesh roots ({@code ROOTCA}) */
  public PeerIdentityHandler(boolean meshRoots) {
    this.meshRoots = meshRoots;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
      var ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ctx.channel().attr(PeerIdentity.KEY).set(identity(ssl.engine().getSession()));
      }
      ctx.pipeline().remove(this);
    }
    super.userEventTriggered(ctx, evt);
  }

  private PeerIdentity identity(javax.net.ssl.SSLSession session) {
    String sni = "";
    if (session instanceof ExtendedSSLSession ext) {
      try {
        for (var n : ext.getRequestedServerNames()) {
          if (n instanceof SNIHostName h) {
            sni = h.getAsciiName();
          }
        }
      } catch (UnsupportedOperationException ignored) {
        // provider without SNI reporting
      }
    }
    String uri = "";
    boolean client = false;
    try {
      var certs = session.getPeerCertificates();
      if (certs.length > 0 && certs[0] instanceof X509Certificate leaf) {
        client = true;
        uri = SpiffeId.fromCertificate(leaf).map(SpiffeId::uri).orElse("");
      }
    } catch (SSLPeerUnverifiedException none) {
      // no client certificate
    }
    return new PeerIdentity(uri, client && meshRoots, sni);
  }
}
