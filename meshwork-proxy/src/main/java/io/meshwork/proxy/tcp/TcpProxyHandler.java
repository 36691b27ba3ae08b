package io.meshwork.proxy.tcp;

import io.meshwork.proxy.accesslog.AccessLogEntry;
import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.config.TcpProxyConfig;
import io.meshwork.proxy.http.ResponseFlags;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Inbound side of a TCP proxy connection (after an optional {@code IdleStateHandler}). On accept it
 * picks a host of the cluster and connects on the same event loop; bytes are then relayed both
 * ways, each side reading again only after the other side accepted the previous write. Either side
 * closing closes the other after pending writes flush. One access log line per connection (UF when
 * the upstream connect fails, UH when the cluster has no host).
 */
public final class TcpProxyHandler extends ChannelInboundHandlerAdapter {
  private final TcpProxyConfig config;
  private final SnapshotHolder snapshots;
  private final Transport transport;
  private final AccessLogWriter accessLog;
  private final Counter downstreamCxTotal;
  private final long startMillis = System.currentTimeMillis();
  private final long startNanos = System.nanoTime();
  private Channel inbound;
  private Channel outbound;
  private Host host;
  private long received;
  private long sent;
  private int flags;
  private boolean logged;
  /** Bytes that arrived before the upstream connection was up (a TLS handshake may read ahead). */
  private java.util.ArrayDeque<Object> early;
  /** The upstream is connected (and past TLS and the metadata exchange frame): bytes go straight through. */
  private boolean ready;
  private final io.meshwork.proxy.telemetry.TcpTelemetry telemetry;

  /** Null: never originates TLS. */
  private final io.meshwork.proxy.tls.TlsContexts tls;

  /** A TCP proxy that originates TLS to hosts whose cluster asks for it (auto mTLS, DestinationRule tls). */
  public TcpProxyHandler(TcpProxyConfig config, SnapshotHolder snapshots, Transport transport, AccessLogWriter accessLog,
      Stats stats, io.meshwork.proxy.tls.TlsContexts tls) {
    this(config, snapshots, transport, accessLog, stats, tls, new io.meshwork.proxy.telemetry.ProxyTelemetry().tcp("", config.cluster()));
  }

  public TcpProxyHandler(TcpProxyConfig config, SnapshotHolder snapshots, Transport transport, AccessLogWriter accessLog,
      Stats stats) {
    this(config, snapshots, transport, accessLog, stats, null, new io.meshwork.proxy.telemetry.ProxyTelemetry().tcp("", config.cluster()));
  }

  /**
   * @param tls the proxy's TLS contexts, to originate TLS where the cluster asks for it (null: never)
   * @param telemetry the istio_tcp_* metrics of this connection
   */
  public TcpProxyHandler(TcpProxyConfig config, SnapshotHolder snapshots, Transport transport, AccessLogWriter accessLog,
      Stats stats, io.meshwork.proxy.tls.TlsContexts tls, io.meshwork.proxy.telemetry.TcpTelemetry telemetry) {
    this.tls = tls;
    this.telemetry = telemetry;
    this.config = config;
    this.snapshots = snapshots;
    this.transport = transport;
    this.accessLog = accessLog;
    this.downstreamCxTotal = stats.counter("tcp." + config.statPrefix() + ".downstream_cx_total");
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    inbound = ctx.channel();
    downstreamCxTotal.inc();
    var cluster = snapshots.current().cluster(config.cluster());
    host = cluster == null ? null : cluster.choose(List.of());
    var captured = io.meshwork.proxy.capture.Captured.of(inbound);
    boolean passthrough = host == null && cluster != null && captured != null && captured.originalDestination() != null
        && snapshots.current().config().capture().originalDstClusters().contains(config.cluster());
    if (passthrough) {
      host = io.meshwork.proxy.cluster.Host.originalDestination(config.cluster(), captured.originalDestination());
    }
    telemetry.opened(inbound, host == null ? null : host.hostPort());
    if (host == null) {
      flags |= ResponseFlags.UH;
      if (cluster != null) {
        cluster.stats().upstreamCxNoneHealthy.inc();
      }
      inbound.close();
      return;
    }
    cluster.stats().upstreamCxTotal.inc();
    host.requestStarted();
    var b = transport.client(inbound.eventLoop(), (int) cluster.config().connectTimeout().toMillis())
        .handler(upstreamInitializer(tls == null ? null : io.meshwork.proxy.mtls.MeshTlsHandlers.choose(cluster.config(), host.config(), tls),
            host.address()));
    // TPROXY: a service port's app connection leaves from the caller's address (original_src).
    var original = passthrough ? null : io.meshwork.proxy.capture.OriginalSource.of(inbound, host.address());
    var f = passthrough && captured.inbound()
        ? io.meshwork.proxy.capture.InboundPassthrough.connect(b, inbound, captured, host.address())
        : original != null ? original.connect(b) : b.connect(host.address());
    outbound = f.channel();
    f.addListener(done -> {
      cluster.reportOutcome(host, done.isSuccess() ? 200 : 503);
      if (done.isSuccess()) {
        outbound.read();
        var ssl = outbound.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (ssl == null) {
          forwardEarly();
        } else {
          // Over TLS the app's bytes wait for the handshake, and then for the metadata exchange's
          // frame, which is written when the handshake-completion event passes (later in this same
          // event-loop task): the peer expects that frame first (bytes written before it were
          // flushed ahead of it, and the frame then reached the app as data).
          ssl.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
              outbound.eventLoop().execute(this::forwardEarly);
            }
          });
        }
      } else {
        cluster.stats().upstreamCxConnectFail.inc();
        flags |= ResponseFlags.UF;
        inbound.close();
      }
    });
  }

  /** The upstream is ready for the app's bytes: what arrived meanwhile goes first, then reading starts. */
  private void forwardEarly() {
    ready = true;
    if (early != null) {
      Object m;
      while ((m = early.poll()) != null) {
        outbound.write(m);
      }
      outbound.flush();
    }
    inbound.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      received += b.readableBytes();
      telemetry.received(b.readableBytes());
    }
    if (outbound != null && !ready && outbound.isOpen()) {
      if (early == null) {
        early = new java.util.ArrayDeque<>();
      }
      early.add(msg); // still connecting: forwarded once connected
      return;
    }
    if (outbound == null || !outbound.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    outbound.writeAndFlush(msg).addListener(f -> {
      if (f.isSuccess()) {
        inbound.read();
      } else {
        inbound.close();
      }
    });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (early != null) {
      early.forEach(ReferenceCountUtil::release);
      early.clear();
    }
    if (outbound != null) {
      closeOnFlush(outbound);
    }
    log();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void log() {
    if (logged) {
      return;
    }
    logged = true;
    telemetry.closed();
    if (host != null) {
      host.requestDone((flags & ResponseFlags.UF) != 0);
    }
    accessLog.log(config.accessLogs(), new AccessLogEntry(startMillis, null, null, null, 0,
        ResponseFlags.toString(flags), received, sent, (System.nanoTime() - startNanos) / 1_000_000, null, null, null,
        null, null, host == null ? null : host.hostPort()));
  }

  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The upstream pipeline: {@code [SslHandler] → Relay}; the SSL handler checks the server's identity during the handshake. */
  private io.netty.channel.ChannelHandler upstreamInitializer(io.meshwork.proxy.config.UpstreamTlsConfig upstreamTls,
      java.net.InetSocketAddress address) {
    if (upstreamTls == null || tls == null) {
      return new Relay();
    }
    return new io.netty.channel.ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        var ssl = io.meshwork.proxy.mtls.MeshTlsHandlers.upstream(ch, tls, upstreamTls, address);
        if (ssl == null) {
          ch.close();
          return;
        }
        ch.pipeline().addLast("tls", ssl).addLast("relay", new Relay());
      }
    };
  }

  /** The upstream side: relays bytes back to the inbound connection. */
  private final class Relay extends ChannelInboundHandlerAdapter {
    /**
     * Over upstream TLS, Istio's TCP metadata exchange runs when ALPN negotiates
     * {@code istio-peer-exchange}: the handler goes before this one and its result names the destination.
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null) {
        ctx.pipeline().addBefore(ctx.name(), "peer_exchange", io.meshwork.proxy.telemetry.PeerExchange.afterHandshake(telemetry));
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      telemetry.upstreamPeer(io.meshwork.proxy.telemetry.PeerExchange.peerOf(ctx.channel()));
      if (msg instanceof ByteBuf b) {
        sent += b.readableBytes();
        telemetry.sent(b.readableBytes());
      }
      inbound.writeAndFlush(msg).addListener(f -> {
        if (f.isSuccess()) {
          ctx.channel().read();
        } else {
          ctx.close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      telemetry.upstreamPeer(io.meshwork.proxy.telemetry.PeerExchange.peerOf(ctx.channel()));
      closeOnFlush(inbound);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
