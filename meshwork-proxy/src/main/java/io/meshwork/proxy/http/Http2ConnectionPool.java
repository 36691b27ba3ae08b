package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.HashMap;

/**
 * HTTP/2 (cleartext, prior knowledge) to upstream endpoints, owned by one event loop: one connection
 * per cluster and endpoint, multiplexing every request of this loop as its own stream. A stream's
 * pipeline is {@code Http2StreamFrameToHttpObjectCodec → UpstreamHandler}, so {@link UpstreamCall}
 * works unchanged; "releasing" a stream closes it, the connection stays. The connection reads
 * continuously (HTTP/2 flow control is the back-pressure). Requests waiting for the connection to
 * be established are chained on its connect future.
 */
final class Http2ConnectionPool implements UpstreamPool {
  private final EventLoop loop;
  private final Transport transport;
  private final HashMap<Host.PoolKey, Future<Channel>> connections = new HashMap<>();

  private final io.meshwork.proxy.tls.TlsContexts tls;
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
  public Future<Channel> acquire(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source) {
    var key = source == null ? host.poolKey() : source.poolKey(host);
    var connection = connections.get(key);
    if (connection == null || connection.isDone() && (!connection.isSuccess() || !connection.getNow().isActive())) {
      if (!cluster.tryOpenConnection()) {
        return loop.newFailedFuture(new Http1ConnectionPool.ConnectionOverflowException());
      }
      connection = connect(host, cluster, source, key);
      connections.put(key, connection);
    }
    Promise<Channel> stream = loop.newPromise();
    connection.addListener(c -> {
      if (!c.isSuccess()) {
        stream.tryFailure(c.cause());
        return;
      }
      grant((Channel) c.getNow(), key, cluster, stream, false, () -> acquire(host, cluster, source));
    });
    return stream;
  }

  /**
   * Opens a stream for {@code stream} on {@code parent} when the peer's SETTINGS_MAX_CONCURRENT_STREAMS
   * leaves room; otherwise the request waits (Envoy's pending request, under
   * {@code max_pending_requests}; over it: 503 UO) until a stream of this connection ends.
   */
  private void grant(Channel parent, Host.PoolKey key, ClusterRuntime cluster, Promise<Channel> stream, boolean wasPending,
      java.util.function.Supplier<Future<Channel>> again) {
    if (stream.isDone()) {
      return; // given up meanwhile (timeout, client gone)
    }
    var budget = StreamBudget.of(parent, cluster.config().maxRequestsPerConnection(), cluster.config().idleTimeout(),
        cluster.stats().upstreamCxIdleTimeout);
    if (budget.retired()) {
      // max_requests_per_connection: this connection takes no more streams; use (or open) the next one.
      follow(again.get(), stream);
      return;
    }
    var streams = Streams.of(parent);
    if (streams.active >= streams.limit(parent)) {
      if (!(wasPending ? cluster.tryResumePending() : cluster.tryStartPending())) {
        stream.tryFailure(new Http1ConnectionPool.ConnectionOverflowException());
        return;
      }
      var waiter = new Waiter(cluster, stream, again);
      streams.waiting.addLast(waiter);
      stream.addListener(f -> {
        if (f.isCancelled() && streams.waiting.remove(waiter)) {
          cluster.pendingFinished();
        }
      });
      return;
    }
    streams.active++;
    if (budget.take()) {
      cluster.stats().upstreamCxMaxRequests.inc();
      var current = connections.get(key);
      if (current != null && current.isDone() && current.isSuccess() && current.getNow() == parent) {
        connections.remove(key); // the next request opens a new connection; this one drains
      }
      while (!streams.waiting.isEmpty()) { // they would never get a stream here
        var w = streams.waiting.pollFirst();
        w.cluster.pendingFinished();
        follow(w.again.get(), w.stream);
      }
    }
    var pool = this;
    new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel ch) {
        ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false, true));
        ch.pipeline().addLast("upstream", new UpstreamHandler(pool, key));
      }
    }).open().addListener(s -> {
      if (!s.isSuccess()) {
        streamEnded(parent, key, streams);
        budget.streamEnded();
        stream.tryFailure(s.cause());
        return;
      }
      var ch = (Channel) s.getNow();
      ch.closeFuture().addListener(closed -> {
        streamEnded(parent, key, streams);
        budget.streamEnded();
      });
      if (!stream.trySuccess(ch)) {
        ch.close(); // given up while the stream opened
      }
    });
  }

  /** Completes {@code stream} with what {@code next} gives (a stream on another connection); a cancel goes on to it. */
  private static void follow(Future<Channel> next, Promise<Channel> stream) {
    stream.addListener(f -> {
      if (f.isCancelled() && !next.isDone()) {
        next.cancel(false); // a waiting request leaves the other connection's queue too
      }
    });
    next.addListener(n -> {
      if (n.isSuccess()) {
        if (!stream.trySuccess((Channel) n.getNow())) {
          ((Channel) n.getNow()).close();
        }
      } else {
        stream.tryFailure(n.cause());
      }
    });
  }

  /**
   * A stream of {@code parent} ended: the oldest waiting request may open one. Deferred to the next
   * turn of the loop: the child channel closes while the codec still delivers the last frame, before
   * the connection itself counts the stream closed, so opening one at once would exceed the peer's limit.
   */
  private void streamEnded(Channel parent, Host.PoolKey key, Streams streams) {
    streams.active--;
    if (!streams.waiting.isEmpty()) {
      loop.execute(() -> drain(parent, key, streams));
    }
  }

  private void drain(Channel parent, Host.PoolKey key, Streams streams) {
    while (!streams.waiting.isEmpty() && streams.active < streams.limit(parent)) {
      var w = streams.waiting.pollFirst();
      w.cluster.pendingFinished();
      if (parent.isActive()) {
        grant(parent, key, w.cluster, w.stream, true, w.again);
      } else {
        w.stream.tryFailure(new java.nio.channels.ClosedChannelException());
      }
    }
  }

  /** A request waiting for a stream. */
  private record Waiter(ClusterRuntime cluster, Promise<Channel> stream, java.util.function.Supplier<Future<Channel>> again) {}

  /**
   * The streams this pool holds on one connection (kept on the channel, touched on its event loop only):
   * how many are open or opening, and the requests waiting for one.
   */
  private static final class Streams {
    static final io.netty.util.AttributeKey<Streams> KEY = io.netty.util.AttributeKey.valueOf("meshwork.h2Streams");
    int active;
    final java.util.ArrayDeque<Waiter> waiting = new java.util.ArrayDeque<>();

    static Streams of(Channel parent) {
      var attr = parent.attr(KEY);
      var s = attr.get();
      if (s == null) {
        s = new Streams();
        attr.set(s);
      }
      return s;
    }

    /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive). */
    int limit(Channel parent) {
      var codec = parent.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class);
      return codec == null ? Integer.MAX_VALUE : codec.connection().local().maxActiveStreams();
    }
  }

  @Override
  public void abandon(Future<Channel> acquire) {
    if (!acquire.isDone() && acquire instanceof Promise<Channel> p) {
      p.cancel(false); // a waiting request leaves its queue (its listener gives the pending slot back)
    }
  }

  private Future<Channel> connect(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source,
      Host.PoolKey key) {
    var stats = cluster.stats();
    stats.upstreamCxTotal.inc();
    Promise<Channel> promise = loop.newPromise();
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
    var f = source == null ? b.connect(host.address()) : source.connect(b);
    var closer = cluster.connectionCloser(); // not the runtime: the connection may outlive it
    f.channel().closeFuture().addListener(closed -> {
      closer.run();
      var streams = f.channel().attr(Streams.KEY).get();
      while (streams != null && !streams.waiting.isEmpty()) {
        var w = streams.waiting.pollFirst();
        w.cluster.pendingFinished();
        w.stream.tryFailure(new java.nio.channels.ClosedChannelException());
      }
      var current = connections.get(key);
      if (current != null && current.isDone() && current.isSuccess() && current.getNow() == f.channel()) {
        connections.remove(key);
      }
    });
    f.addListener(done -> {
      var ssl = done.isSuccess() ? f.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
      if (ssl != null) {
        ssl.handshakeFuture().addListener(hs -> {
          if (hs.isSuccess()) {
            promise.setSuccess(f.channel());
          } else {
            stats.upstreamCxConnectFail.inc();
            connections.remove(key);
            f.channel().close();
            promise.setFailure(hs.cause());
          }
        });
      } else if (done.isSuccess() && !f.channel().isActive()) {
        stats.upstreamCxConnectFail.inc();
        connections.remove(key);
        promise.setFailure(new javax.net.ssl.SSLException("no workload certificate yet for upstream mTLS"));
      } else if (done.isSuccess()) {
        promise.setSuccess(f.channel());
      } else {
        stats.upstreamCxConnectFail.inc();
        if (done.cause() instanceof io.netty.channel.ConnectTimeoutException) {
          stats.upstreamCxConnectTimeout.inc();
        }
        connections.remove(key);
        promise.setFailure(done.cause());
      }
    });
    return promise;
  }

  @Override
  public void release(Channel stream, Duration idleTimeout) {
    stream.close();
  }

  @Override
  public void forget(Channel ch, UpstreamHandler handler) {
    // streams are single-use; the connection is tracked by its close future
  }
}
