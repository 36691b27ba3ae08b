package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shadow request ({@code request_mirror_policies}): sent once to the mirror cluster on the same
 * event loop, its response read and discarded. It never affects the primary exchange: no retries,
 * no flags, no local reply; it is abandoned (connection closed) after the route timeout. Counted in
 * the mirror cluster's {@code upstream_rq_*} stats like any request.
 */
final class MirrorCall implements UpstreamListener {
  private final ClusterRuntime cluster;
  private final FullHttpRequest request;
  private final UpstreamPool pool;
  private Host host;
  private Channel channel;
  private ScheduledFuture<?> timer;
  private boolean keepAlive;
  private boolean done;

  private MirrorCall(ClusterRuntime cluster, FullHttpRequest request, UpstreamPool pool) {
    this.cluster = cluster;
    this.request = request;
    this.pool = pool;
  }

  /**
   * Samples the policy and, if it hits, shadows {@code upstream} (the request as prepared for the
   * primary cluster) to the mirror cluster with "-shadow" appended to the Host's host part.
   */
  static void maybeStart(io.meshwork.proxy.config.RouteAction.Mirror m, FullHttpRequest upstream,
      io.meshwork.proxy.runtime.Snapshot snapshot, PoolRegistry pools, io.netty.channel.EventLoop loop, Duration timeout) {
    if (m.numerator() < m.denominator()
        && java.util.concurrent.ThreadLocalRandom.current().nextInt(m.denominator()) >= m.numerator()) {
      return;
    }
    var cluster = snapshot.cluster(m.cluster());
    if (cluster == null) {
      return;
    }
    var shadow = new io.netty.handler.codec.http.DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
        upstream.method(), upstream.uri(), upstream.content().retainedDuplicate(), upstream.headers().copy(),
        upstream.trailingHeaders().copy());
    var hostHeader = io.netty.handler.codec.http.HttpHeaderNames.HOST;
    var host = shadow.headers().get(hostHeader, "");
    int colon = host.lastIndexOf(':');
    shadow.headers().set(hostHeader, colon > 0 && host.indexOf(']') < colon
        ? host.substring(0, colon) + "-shadow" + host.substring(colon) : host + "-shadow");
    start(cluster, shadow, pools.forLoop(loop, cluster.config().http2()), timeout);
  }

  /** Starts a shadow of {@code request} (which this call releases). */
  static void start(ClusterRuntime cluster, FullHttpRequest request, UpstreamPool pool, Duration timeout) {
    new MirrorCall(cluster, request, pool).run(timeout);
  }

  private void run(Duration timeout) {
    if (!cluster.tryStartRequest()) {
      request.release();
      return;
    }
    host = cluster.choose(List.of());
    if (host == null) {
      cluster.stats().upstreamCxNoneHealthy.inc();
      finish(false);
      return;
    }
    cluster.stats().upstreamRqTotal.inc();
    host.requestStarted();
    if (!timeout.isZero()) {
      timer = pool.loop().schedule(() -> {
        cluster.stats().upstreamRqTimeout.inc();
        finish(false);
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    pool.acquire(host, cluster).addListener(f -> {
      if (done) {
        if (f.isSuccess()) {
          pool.release((Channel) f.getNow(), cluster.config().idleTimeout());
        }
        return;
      }
      if (!f.isSuccess()) {
        finish(false);
        return;
      }
      channel = (Channel) f.getNow();
      var handler = channel.pipeline().get(UpstreamHandler.class);
      if (handler == null) {
        finish(false);
        return;
      }
      handler.listener = this;
      channel.writeAndFlush(request.retainedDuplicate());
      channel.read();
    });
  }

  @Override
  public void onUpstreamMessage(HttpObject msg) {
    if (msg instanceof HttpResponse r) {
      keepAlive = HttpUtil.isKeepAlive(r);
      cluster.stats().status(r.status().code());
    }
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last) {
      finish(true);
    } else if (channel != null) {
      channel.read();
    }
  }

  @Override
  public void onUpstreamClosed() {
    channel = null;
    finish(false);
  }

  private void finish(boolean complete) {
    if (done) {
      return;
    }
    done = true;
    if (timer != null) {
      timer.cancel(false);
    }
    if (host != null) {
      host.requestDone(!complete);
    }
    cluster.requestFinished();
    var ch = channel;
    channel = null;
    if (ch != null) {
      var h = ch.pipeline().get(UpstreamHandler.class);
      if (h != null) {
        h.listener = null;
      }
      if (complete && keepAlive) {
        pool.release(ch, cluster.config().idleTimeout());
      } else {
        ch.close();
      }
    }
    request.release();
  }
}
