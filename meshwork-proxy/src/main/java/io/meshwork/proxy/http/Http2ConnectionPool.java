package io.meshwork.proxy.http;

import io.meshwork.proxy.capture.OriginalSource;
import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;

/**
 * HTTP/2 (cleartext, prior knowledge, or over TLS) to upstream endpoints, owned by one event loop,
 * as Envoy's HTTP/2 connection pool works: per cluster endpoint, connections that each multiplex up
 * to the peer's SETTINGS_MAX_CONCURRENT_STREAMS requests as streams. A request takes a stream on a
 * connection with room; when none has room it waits as a pending request (under the cluster's
 * {@code max_pending_requests}; over it: 503 UO, {@code upstream_rq_pending_overflow}) and the pool
 * opens another connection for it, unless one is already being opened or the cluster's
 * {@code max_connections} is reached ({@code upstream_cx_overflow} counts each refusal). A pool with
 * no connection to the endpoint opens one even at the limit (as Envoy: otherwise its requests would
 * wait for connections other event loops or endpoints never hand over). Pending requests get a stream
 * when one ends, when a connection is established, or on a connection the pool opens once a slot is
 * freed (a connection of the cluster closed). A stream's pipeline is
 * {@code Http2StreamFrameToHttpObjectCodec → UpstreamHandler}, so {@link UpstreamCall} works
 * unchanged; "releasing" a stream closes it, the connection stays.
 */
final class Http2ConnectionPool implements UpstreamPool {
  private final EventLoop loop;
  private final Transport transport;
  private final io.meshwork.proxy.tls.TlsContexts tls;
  private final HashMap<Host.PoolKey, Endpoint> endpoints = new HashMap<>();
  private final java.util.List<String> alpnOverride;

  Http2ConnectionPool(EventLoop loop, Transport transport) {
    this(loop, transport, new io.meshwork.proxy.tls.TlsContexts());
  }

  Http2ConnectionPool(EventLoop loop, Transport transport, io.meshwork.proxy.tls.TlsContexts tls) {
    this(loop, transport, tls, null);
  }

  /**
   * A pool whose mesh TLS connections offer {@code alpnOverride} (Istio's {@code istio.alpn}; null:
   * the cluster's ALPN). {@link PoolRegistry} keeps one pool per override, so connections offering
   * different ALPN (which the server may serve on different filter chains) are never shared.
   */
  Http2ConnectionPool(EventLoop loop, Transport transport, io.meshwork.proxy.tls.TlsContexts tls, java.util.List<String> alpnOverride) {
    this.loop = loop;
    this.transport = transport;
    this.tls = tls;
    this.alpnOverride = alpnOverride;
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster) {
    return acquire(host, cluster, null);
  }

  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster, OriginalSource source) {
    var key = source == null ? host.poolKey() : source.poolKey(host);
    var ep = endpoints.computeIfAbsent(key, Endpoint::new);
    ep.host = host;
    ep.source = source;
    Promise<Channel> stream = loop.newPromise();
    var conn = ep.available();
    if (conn != null) {
      open(ep, conn, cluster, stream);
      return stream;
    }
    if (!cluster.tryStartPending()) {
      return loop.newFailedFuture(new Http1ConnectionPool.ConnectionOverflowException());
    }
    var w = new Waiter(cluster, stream);
    ep.pending.addLast(w);
    stream.addListener(f -> {
      if (f.isCancelled() && ep.pending.remove(w)) {
        cluster.pendingFinished(); // route timeout or client gone while pending
      }
    });
    connectIfNeeded(ep, cluster);
    return stream;
  }

  /**
   * Envoy's "create a new connection when the pending requests exceed what is being connected": at
   * most one connection of an endpoint is being opened at a time (its stream limit is not known
   * before its SETTINGS, so it is counted as taking every pending request), under
   * {@code max_connections}; at the limit the endpoint waits for a freed slot.
   */
  private void connectIfNeeded(Endpoint ep, ClusterRuntime cluster) {
    if (ep.pending.isEmpty() || ep.connecting()) {
      return;
    }
    if (cluster.tryOpenConnection()) {
      connect(ep, cluster);
    } else if (ep.conns.isEmpty()) {
      cluster.forceOpenConnection(); // counted in upstream_cx_overflow, opened anyway (see class comment)
      connect(ep, cluster);
    } else if (!ep.awaitingSlot) {
      ep.awaitingSlot = true;
      ep.slotCluster = cluster;
      cluster.awaitConnectionSlot(ep.notice);
    }
  }

  /** A connection slot of the cluster was freed for {@code ep}: open a connection, or pass the slot on. */
  private void slotFreed(Endpoint ep) {
    ep.awaitingSlot = false;
    var cluster = ep.slotCluster;
    ep.slotCluster = null;
    if (ep.pending.isEmpty() || ep.connecting()) {
      cluster.connectionSlotFreed(); // nothing to open here: the next waiter may use it
      return;
    }
    connectIfNeeded(ep, ep.pending.peekFirst().cluster);
  }

  /** Gives pending requests of {@code ep} streams on its connections with room, oldest first. */
  private void serve(Endpoint ep) {
    while (!ep.pending.isEmpty()) {
      var conn = ep.available();
      if (conn == null) {
        return;
      }
      var w = ep.pending.pollFirst();
      w.cluster.pendingFinished();
      if (!w.stream.isDone()) {
        open(ep, conn, w.cluster, w.stream);
      }
    }
  }

  /** Opens a stream on {@code conn} (which has room) for {@code stream}. */
  private void open(Endpoint ep, Conn conn, ClusterRuntime cluster, Promise<Channel> stream) {
    conn.active++;
    var budget = StreamBudget.of(conn.channel, cluster.config().maxRequestsPerConnection(), cluster.config().idleTimeout(),
        cluster.stats().upstreamCxIdleTimeout);
    if (budget.take()) {
      // max_requests_per_connection: this connection takes no more streams and closes with its last one;
      // requests still waiting for it need another.
      cluster.stats().upstreamCxMaxRequests.inc();
      connectIfNeeded(ep, cluster);
    }
    var pool = this;
    var key = ep.key;
    new Http2StreamChannelBootstrap(conn.channel).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, true));
        ch.pipeline().addLast("upstream", new UpstreamHandler(pool, key));
      }
    }).open().addListener(s -> {
      if (!s.isSuccess()) {
        streamEnded(ep, conn, budget);
        stream.tryFailure(s.cause());
        return;
      }
      var ch = (Channel) s.getNow();
      ch.closeFuture().addListener(closed -> streamEnded(ep, conn, budget));
      if (!stream.trySuccess(ch)) {
        ch.close(); // given up while the stream opened
      }
    });
  }

  /**
   * A stream of {@code conn} ended: the oldest pending request may open one. Deferred to the next
   * turn of the loop: the child channel closes while the codec still delivers the last frame, before
   * the connection itself counts the stream closed, so opening one at once would exceed the peer's limit.
   */
  private void streamEnded(Endpoint ep, Conn conn, StreamBudget budget) {
    conn.active--;
    budget.streamEnded();
    if (!ep.pending.isEmpty()) {
      loop.execute(() -> serve(ep));
    }
  }

  @Override
  public void abandon(Future<Channel> acquire) {
    if (!acquire.isDone() && acquire instanceof Promise<Channel> p) {
      p.cancel(false); // a pending request leaves its queue (its listener gives the pending slot back)
    }
  }

  private void connect(Endpoint ep, ClusterRuntime cluster) {
    var host = ep.host;
    var stats = cluster.stats();
    stats.upstreamCxTotal.inc();
    var upstreamTls = io.meshwork.proxy.config.AlpnOverrideConfig.apply(
        io.meshwork.proxy.mtls.MeshTlsHandlers.choose(cluster.config(), host.config(), tls), alpnOverride);
    var b = transport.client(loop, (int) Math.min(Integer.MAX_VALUE, cluster.config().connectTimeout().toMillis()))
        .option(ChannelOption.AUTO_READ, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (upstreamTls != null) {
              var ssl = io.meshwork.proxy.mtls.MeshTlsHandlers.upstream(ch, tls, upstreamTls, host.address());
              if (ssl == null) {
                ch.close();
                return;
              }
              ch.pipeline().addLast("tls", ssl);
            }
            ch.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient().build());
            ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg); // server push is not used
              }
            }));
          }
        });
    var f = ep.source == null ? b.connect(host.address()) : ep.source.connect(b);
    var conn = new Conn(f.channel());
    ep.conns.add(conn);
    var closer = cluster.connectionCloser(); // not the runtime: the connection may outlive it
    f.channel().closeFuture().addListener(closed -> {
      closer.run();
      ep.conns.remove(conn);
      if (!conn.ready) {
        // Envoy purges the pending requests when a connection fails to connect: they fail (503 UF,
        // or a retry) instead of waiting for a connection that may never come.
        var cause = conn.failure != null ? conn.failure : new java.nio.channels.ClosedChannelException();
        while (!ep.pending.isEmpty()) {
          var w = ep.pending.pollFirst();
          w.cluster.pendingFinished();
          w.stream.tryFailure(cause);
        }
      } else if (!ep.pending.isEmpty()) {
        connectIfNeeded(ep, ep.pending.peekFirst().cluster); // lost a connection with requests waiting
      }
      if (ep.conns.isEmpty() && ep.pending.isEmpty() && !ep.awaitingSlot) {
        endpoints.remove(ep.key, ep);
      }
    });
    f.addListener(done -> {
      var ssl = done.isSuccess() ? f.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
      if (ssl != null) {
        ssl.handshakeFuture().addListener(hs -> {
          if (hs.isSuccess()) {
            ready(ep, conn, cluster);
          } else {
            stats.upstreamCxConnectFail.inc();
            conn.failure = hs.cause();
            f.channel().close();
          }
        });
      } else if (done.isSuccess() && !f.channel().isActive()) {
        stats.upstreamCxConnectFail.inc();
        conn.failure = new javax.net.ssl.SSLException("no workload certificate yet for upstream mTLS");
        f.channel().close();
      } else if (done.isSuccess()) {
        ready(ep, conn, cluster);
      } else {
        stats.upstreamCxConnectFail.inc();
        if (done.cause() instanceof io.netty.channel.ConnectTimeoutException) {
          stats.upstreamCxConnectTimeout.inc();
        }
        conn.failure = done.cause();
        f.channel().close();
      }
    });
  }

  /** {@code conn} is established: it serves pending requests; if some still wait, another may be opened. */
  private void ready(Endpoint ep, Conn conn, ClusterRuntime cluster) {
    if (!conn.channel.isActive()) {
      return; // closed meanwhile: its close listener handled the pending requests
    }
    conn.ready = true;
    serve(ep);
    if (conn.active == 0) {
      StreamBudget.of(conn.channel, cluster.config().maxRequestsPerConnection(), cluster.config().idleTimeout(),
          cluster.stats().upstreamCxIdleTimeout).startIdle();
    }
    if (!ep.pending.isEmpty()) {
      connectIfNeeded(ep, ep.pending.peekFirst().cluster);
    }
  }

  @Override
  public void release(Channel stream, Duration idleTimeout) {
    stream.close();
  }

  @Override
  public void forget(Channel ch, UpstreamHandler handler) {
    // streams are single-use; connections are tracked by their close futures
  }

  /** The connections of this pool to one endpoint (and source) and the requests waiting for a stream there. */
  private final class Endpoint {
    final Host.PoolKey key;
    Host host;
    OriginalSource source;
    final ArrayList<Conn> conns = new ArrayList<>(2);
    final ArrayDeque<Waiter> pending = new ArrayDeque<>();
    /** A notice of this endpoint is queued on {@link #slotCluster} for a freed connection slot. */
    boolean awaitingSlot;
    ClusterRuntime slotCluster;
    final Runnable notice = () -> {
      try {
        loop.execute(() -> slotFreed(this));
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        // the proxy is stopping: nothing waits any more
      }
    };

    Endpoint(Host.PoolKey key) {
      this.key = key;
    }

    /** An established connection that takes another stream now, or null. */
    Conn available() {
      for (int i = 0; i < conns.size(); i++) {
        var c = conns.get(i);
        if (c.ready && c.active < c.limit() && c.accepting()) {
          return c;
        }
      }
      return null;
    }

    boolean connecting() {
      for (int i = 0; i < conns.size(); i++) {
        if (!conns.get(i).ready) {
          return true;
        }
      }
      return false;
    }
  }

  /** One connection: established yet, and its streams open or opening (touched on the loop only). */
  private static final class Conn {
    final Channel channel;
    boolean ready;
    int active;
    Throwable failure;

    Conn(Channel channel) {
      this.channel = channel;
    }

    /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive). */
    int limit() {
      var codec = channel.pipeline().get(Http2FrameCodec.class);
      return codec == null ? Integer.MAX_VALUE : codec.connection().local().maxActiveStreams();
    }

    /** Open, not retired by max_requests_per_connection, no GOAWAY from the peer. */
    boolean accepting() {
      if (!channel.isActive()) {
        return false;
      }
      var budget = channel.attr(StreamBudget.KEY).get();
      if (budget != null && budget.retired()) {
        return false;
      }
      var codec = channel.pipeline().get(Http2FrameCodec.class);
      return codec == null || !codec.connection().goAwayReceived();
    }
  }

  /** A request waiting for a stream. */
  private record Waiter(ClusterRuntime cluster, Promise<Channel> stream) {}
}
