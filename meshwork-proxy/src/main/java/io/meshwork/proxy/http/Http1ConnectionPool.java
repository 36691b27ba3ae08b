package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * HTTP/1.1 keep-alive connections to upstream endpoints, owned by one event loop: connections are
 * opened on the loop of the downstream connection that needs them (no cross-thread hand-off), and
 * this pool is only touched from that loop. Idle connections are reused most-recently-used first
 * and closed after the cluster's idle timeout; at most {@link #MAX_IDLE_PER_ENDPOINT} are kept.
 */
final class Http1ConnectionPool implements UpstreamPool {
  static final int MAX_IDLE_PER_ENDPOINT = 64;
  private final EventLoop loop;
  private final Transport transport;
  private final HashMap<Host.PoolKey, ArrayDeque<Channel>> idle = new HashMap<>();
  private final HashMap<Host.PoolKey, ArrayDeque<Waiter>> waiters = new HashMap<>();
  /** Connections of this pool per endpoint, open or being opened. */
  private final HashMap<Host.PoolKey, Integer> opened = new HashMap<>();

  private final io.meshwork.proxy.tls.TlsContexts tls;
  private final java.util.List<String> alpnOverride;

  Http1ConnectionPool(EventLoop loop, Transport transport) {
    this(loop, transport, new io.meshwork.proxy.tls.TlsContexts());
  }

  Http1ConnectionPool(EventLoop loop, Transport transport, io.meshwork.proxy.tls.TlsContexts tls) {
    this(loop, transport, tls, null);
  }

  /**
   * A pool whose mesh TLS connections offer {@code alpnOverride} (Istio's {@code istio.alpn}; null:
   * the cluster's ALPN). {@link PoolRegistry} keeps one pool per override, so connections offering
   * different ALPN (which the server may serve on different filter chains) are never shared.
   */
  Http1ConnectionPool(EventLoop loop, Transport transport, io.meshwork.proxy.tls.TlsContexts tls, java.util.List<String> alpnOverride) {
    this.loop = loop;
    this.transport = transport;
    this.tls = tls;
    this.alpnOverride = alpnOverride;
  }

  /** An idle connection to {@code address}, or a new one; fails with the connect error. */
  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster) {
    return acquire(host, cluster, null);
  }

  @Override
  public Future<Channel> acquire(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source) {
    var key = source == null ? host.poolKey() : source.poolKey(host);
    var address = host.address();
    var stats = cluster.stats();
    assert loop.inEventLoop();
    var q = idle.get(key);
    while (q != null && !q.isEmpty()) {
      var ch = q.pollLast();
      var h = ch.pipeline().get(UpstreamHandler.class);
      if (ch.isActive() && h != null) {
        if (h.idleDeadline != null) {
          h.idleDeadline.disarm(h.onIdle);
        }
        return loop.newSucceededFuture(ch);
      }
    }
    if (!cluster.tryOpenConnection()) {
      if (opened.getOrDefault(key, 0) > 0) {
        return pend(host, cluster, source, key);
      }
      // As Envoy: a pool (one per event loop) with no connection to this endpoint opens one even at
      // the limit, or its pending requests would wait for connections other loops never hand over.
      cluster.forceOpenConnection();
    }
    return open(host, cluster, source, key);
  }

  /**
   * {@code max_connections} is reached: the request waits (Envoy's pending request) under
   * {@code max_pending_requests}, until a connection of this pool comes back ({@link #release}) or
   * any connection of the cluster closes and frees a slot; over that limit it fails at once (503 UO).
   * Cancelling the returned future (route timeout, client gone) gives the pending slot back.
   */
  private Future<Channel> pend(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source,
      Host.PoolKey key) {
    if (!cluster.tryStartPending()) {
      return loop.newFailedFuture(new ConnectionOverflowException());
    }
    var w = new Waiter(host, cluster, source, key, loop.newPromise());
    var q = waiters.computeIfAbsent(key, k -> new ArrayDeque<>());
    q.addLast(w);
    w.promise.addListener(f -> {
      if (f.isCancelled() && q.remove(w)) {
        w.done();
      }
    });
    cluster.awaitConnectionSlot(w.notice);
    return w.promise;
  }

  /** A connection slot of the cluster was freed for {@code w}: open a connection for it, or pass the slot on. */
  private void slotFreed(Waiter w) {
    var q = waiters.get(w.key);
    if (q == null || !q.remove(w)) {
      w.cluster.connectionSlotFreed(); // already served or cancelled: the next waiter may use it
      return;
    }
    w.cluster.pendingFinished();
    boolean slot = w.cluster.tryOpenConnection();
    if (!slot && opened.getOrDefault(w.key, 0) == 0) {
      w.cluster.forceOpenConnection(); // this pool has no connection left: it may always open one
      slot = true;
    }
    if (!slot) {
      // Taken by someone else meanwhile: wait again, first in line.
      if (w.cluster.tryResumePending()) {
        q.addFirst(w);
        w.cluster.awaitConnectionSlot(w.notice);
      } else {
        w.promise.tryFailure(new ConnectionOverflowException());
      }
      return;
    }
    open(w.host, w.cluster, w.source, w.key).addListener(f -> {
      if (f.isSuccess()) {
        if (!w.promise.trySuccess((Channel) f.getNow())) {
          release((Channel) f.getNow(), w.cluster.config().idleTimeout());
        }
      } else {
        w.promise.tryFailure(f.cause());
      }
    });
  }

  @Override
  public void abandon(Future<Channel> acquire) {
    if (acquire.isDone()) {
      return;
    }
    for (var q : waiters.values()) {
      for (var w : q) {
        if (w.promise == acquire) {
          w.promise.cancel(false); // its listener leaves the queue and gives the slots back
          return;
        }
      }
    }
  }

  /** A request waiting for a connection, and its entry in the cluster's queue of slot notices. */
  private final class Waiter {
    final Host host;
    final ClusterRuntime cluster;
    final io.meshwork.proxy.capture.OriginalSource source;
    final Host.PoolKey key;
    final Promise<Channel> promise;
    final Runnable notice = () -> {
      try {
        loop.execute(() -> slotFreed(this));
      } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
        // the proxy is stopping: nothing waits any more
      }
    };

    Waiter(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source, Host.PoolKey key,
        Promise<Channel> promise) {
      this.host = host;
      this.cluster = cluster;
      this.source = source;
      this.key = key;
      this.promise = promise;
    }

    /** Leaves the pending state without a freed slot: gives the pending slot and the notice back. */
    void done() {
      cluster.pendingFinished();
      cluster.cancelConnectionSlotWait(notice);
    }
  }

  /** Opens a connection (from {@code source} when not null, pooled under {@code key}); the caller holds a connection slot. */
  private Future<Channel> open(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source,
      Host.PoolKey key) {
    var address = host.address();
    var stats = cluster.stats();
    stats.upstreamCxTotal.inc();
    Promise<Channel> promise = loop.newPromise();
    var connectTimeout = cluster.config().connectTimeout();
    var pool = this;
    var upstreamTls = io.meshwork.proxy.config.AlpnOverrideConfig.apply(
        io.meshwork.proxy.mtls.MeshTlsHandlers.choose(cluster.config(), host.config(), tls), alpnOverride);
    var b = transport.client(loop, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (upstreamTls != null) {
              var ssl = io.meshwork.proxy.mtls.MeshTlsHandlers.upstream(ch, tls, upstreamTls, address);
              if (ssl == null) {
                ch.close(); // no workload certificate yet: a connect failure (503 UF), retried like one
                return;
              }
              ch.pipeline().addLast("tls", ssl);
            }
            ch.pipeline().addLast("codec", new HttpClientCodec(4096, 64 * 1024, 64 * 1024));
            var upstream = new UpstreamHandler(pool, key);
            upstream.maxRequests = cluster.config().maxRequestsPerConnection();
            upstream.idleTimeouts = cluster.stats().upstreamCxIdleTimeout;
            ch.pipeline().addLast("upstream", upstream);
          }
        });
    var f = source == null ? b.connect(address) : source.connect(b);
    opened.merge(key, 1, Integer::sum);
    var closer = cluster.connectionCloser(); // not the runtime: the connection may outlive it
    f.channel().closeFuture().addListener(closed -> {
      opened.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
      closer.run();
    });
    f.addListener(done -> {
      var ssl = done.isSuccess() ? f.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) : null;
      if (ssl != null) {
        ssl.handshakeFuture().addListener(hs -> {
          if (hs.isSuccess()) {
            promise.setSuccess(f.channel());
          } else {
            stats.upstreamCxConnectFail.inc();
            f.channel().close();
            promise.setFailure(hs.cause());
          }
        });
      } else if (done.isSuccess() && !f.channel().isActive()) {
        stats.upstreamCxConnectFail.inc();
        promise.setFailure(new javax.net.ssl.SSLException("no workload certificate yet for upstream mTLS"));
      } else if (done.isSuccess()) {
        promise.setSuccess(f.channel());
      } else {
        stats.upstreamCxConnectFail.inc();
        if (done.cause() instanceof io.netty.channel.ConnectTimeoutException) {
          stats.upstreamCxConnectTimeout.inc();
        }
        promise.setFailure(done.cause());
      }
    });
    return promise;
  }

  /** A new connection would exceed the cluster's {@code max_connections}. */
  static final class ConnectionOverflowException extends Exception {
    ConnectionOverflowException() {
      super("max_connections reached", null, false, false);
    }
  }

  /** Returns a connection whose exchange completed cleanly and which may be reused. */
  @Override
  public void release(Channel ch, Duration idleTimeout) {
    var h = ch.pipeline().get(UpstreamHandler.class);
    if (h == null || !ch.isActive()) {
      ch.close();
      return;
    }
    h.listener = null;
    if (h.spent()) {
      ch.close(); // max_requests_per_connection reached; a waiter gets the freed connection slot
      return;
    }
    var pending = waiters.get(h.key());
    while (pending != null && !pending.isEmpty()) {
      var w = pending.pollFirst();
      w.done();
      if (w.promise.trySuccess(ch)) {
        return; // handed straight to a request waiting for a connection
      }
    }
    var q = idle.computeIfAbsent(h.key(), k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
      ch.close();
      return;
    }
    q.addLast(ch);
    if (!idleTimeout.isZero()) {
      if (h.idleDeadline == null) {
        // One deadline per connection, re-armed at each release (no timer task per request).
        h.idleDeadline = new LazyDeadline(loop);
        h.onIdle = () -> {
          if (h.idleTimeouts != null) {
            h.idleTimeouts.inc();
          }
          ch.close();
        };
      }
      h.idleDeadline.arm(idleTimeout.toNanos(), h.onIdle);
    }
    // Read while idle so that a close by the upstream is noticed (and anything unexpected closes it).
    ch.read();
  }

  /** Drops a closed connection from the idle set. */
  @Override
  public void forget(Channel ch, UpstreamHandler h) {
    if (h.idleDeadline != null) {
      h.idleDeadline.close();
    }
    var q = idle.get(h.key());
    if (q != null) {
      q.remove(ch);
      if (q.isEmpty()) {
        idle.remove(h.key());
      }
    }
  }

  @Override
  public EventLoop loop() {
    return loop;
  }

  /** Idle connections held (for tests and /clusters). */
  int idleCount() {
    int n = 0;
    for (var q : idle.values()) {
      n += q.size();
    }
    return n;
  }
}
