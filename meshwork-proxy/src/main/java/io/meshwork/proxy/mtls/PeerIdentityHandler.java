package io.meshwork.proxy.mtls;

import io.meshwork.proxy.tls.EngineAccess;
import io.meshwork.proxy.tls.TlsContexts;
import io.meshwork.proxy.transport.PeerIdentity;
import io.meshwork.security.identity.SpiffeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Publishes {@link PeerIdentity} on the downstream channel once its TLS handshake completes: the
 * client certificate's SPIFFE URI SAN, whether it is mutual TLS (a client certificate verified
 * against the mesh roots), and the SNI the client sent. Authorization and telemetry read it.
 */
public final class PeerIdentityHandler extends ChannelInboundHandlerAdapter {
  private final boolean meshRoots;
  private final TlsContexts.HandshakeCounters counters;

  /**
   * @param meshRoots whether the TLS context verifies client certificates against the mesh roots ({@code ROOTCA})
   * @param counters the listener's {@code ssl.handshake}/{@code ssl.session_reused} counters, or null
   */
  public PeerIdentityHandler(boolean meshRoots, TlsContexts.HandshakeCounters counters) {
    this.meshRoots = meshRoots;
    this.counters = counters;
  }

  public PeerIdentityHandler(boolean meshRoots) {
    this(meshRoots, null);
  }

  private long started = System.currentTimeMillis();

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    started = System.currentTimeMillis();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess() && counters != null) {
      counters.failures().count(e.cause()); // listener.<addr>.ssl.fail_verify_error / fail_verify_no_cert / connection_error
    }
    if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
      var ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ctx.channel().attr(PeerIdentity.KEY).set(identity(ssl.engine()));
        if (counters != null) {
          counters.handshake().inc();
          if (EngineAccess.resumed(ssl.engine(), started)) {
            counters.sessionReused().inc();
          }
        }
      }
      ctx.pipeline().remove(this);
    }
    super.userEventTriggered(ctx, evt);
  }

  private PeerIdentity identity(javax.net.ssl.SSLEngine engine) {
    var session = engine.getSession();
    // Read natively for BoringSSL: Istio's SNI outbound_.PORT_.SUBSET_.HOST has underscores,
    // which the JDK's SNIHostName refuses.
    String sni = EngineAccess.sni(engine);
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
