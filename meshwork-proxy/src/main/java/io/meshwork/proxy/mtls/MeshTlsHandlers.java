package io.meshwork.proxy.mtls;

import io.meshwork.proxy.config.TlsConfig;
import io.meshwork.proxy.config.UpstreamTlsConfig;
import io.meshwork.proxy.tls.EngineAccess;
import io.meshwork.proxy.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * Where TLS enters the proxy's pipelines. Listener initializers call {@link #downstream} instead
 * of adding an {@code SslHandler} themselves; connection pools call {@link #upstream}.
 */
public final class MeshTlsHandlers {
  private MeshTlsHandlers() {}

  /**
   * Installs server TLS on an accepted channel: STRICT/plain TLS adds {@code SslHandler} and the
   * {@link PeerIdentityHandler}, then {@code afterTls}; PERMISSIVE adds a {@link TlsDetector} that
   * picks {@code afterTls} (with TLS) or {@code plaintext}.
   *
   * @return false when the TLS context needs the workload certificate and the agent has none yet
   *     (the caller closes the connection)
   */
  public static boolean downstream(Channel ch, TlsContexts contexts, TlsConfig tls, Consumer<ChannelPipeline> afterTls,
      Consumer<ChannelPipeline> plaintext) {
    var ctx = contexts.server(tls);
    if (ctx == null) {
      return false;
    }
    Consumer<ChannelPipeline> withTls = p -> {
      p.addLast("tls", ctx.newHandler(ch.alloc()));
      p.addLast("peer-identity", new PeerIdentityHandler(tls.sdsRootCa(), contexts.sessionStats(ch)));
      afterTls.accept(p);
    };
    if (tls.allowPlaintext()) {
      ch.pipeline().addLast("tls-detect", new TlsDetector(withTls, plaintext));
    } else {
      withTls.accept(ch.pipeline());
    }
    return true;
  }

  /**
   * The TLS to originate to {@code endpoint} of {@code cluster}. Auto mTLS (the {@code tlsMode: istio}
   * match) needs this proxy's own certificate: a proxy without a workload identity falls back to
   * the cluster's default socket (plaintext), which a PERMISSIVE server accepts, instead of failing
   * every request. An explicit ISTIO_MUTUAL DestinationRule does not fall back.
   */
  public static UpstreamTlsConfig choose(io.meshwork.proxy.config.ClusterConfig cluster, io.meshwork.proxy.config.EndpointConfig endpoint,
      TlsContexts contexts) {
    var tls = cluster.tlsFor(endpoint);
    if (tls != null && tls == cluster.istioTls() && contexts.secrets().current() == null) {
      return cluster.tls();
    }
    return tls;
  }

  /**
   * A client {@code SslHandler} for a connection to {@code address} with {@code tls}: SNI as
   * configured, sessions cached per peer (resumption), the server's chain and SANs checked during
   * the handshake. Null when the context needs the agent's certificate and there is none yet.
   */
  public static SslHandler upstream(Channel ch, TlsContexts contexts, UpstreamTlsConfig tls, InetSocketAddress address) {
    var ctx = contexts.client(tls);
    if (ctx == null) {
      return null;
    }
    var peer = tls.sni().isEmpty() ? address.getHostString() : tls.sni();
    var handler = ctx.newHandler(ch.alloc(), peer, address.getPort());
    if (!tls.sni().isEmpty()) {
      // BoringSSL sends any name, Istio's outbound_.PORT_.SUBSET_.HOST included; the JDK refuses
      // names with underscores, and then the connection goes ahead without SNI (the mesh's inbound
      // chains here match on ports, not on SNI).
      EngineAccess.setSni(handler.engine(), tls.sni());
    }
    return handler;
  }
}
