package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * Upstream connections of one event loop for one protocol. {@link #acquire} yields a channel whose
 * pipeline ends in an {@link UpstreamHandler} and accepts Netty HTTP/1 message objects: a pooled
 * HTTP/1.1 connection, or a fresh stream on a shared HTTP/2 connection.
 */
interface UpstreamPool {
  Future<Channel> acquire(Host host, ClusterRuntime cluster);

  /**
   * Like {@link #acquire(Host, ClusterRuntime)}, but the connection leaves from {@code source}
   * (TPROXY's original source; null: as usual) and is pooled for that source only.
   */
  default Future<Channel> acquire(Host host, ClusterRuntime cluster, io.meshwork.proxy.capture.OriginalSource source) {
    return acquire(host, cluster);
  }

  /** The exchange on {@code ch} completed cleanly: keep the connection (HTTP/1.1) or end the stream (HTTP/2). */
  void release(Channel ch, Duration idleTimeout);

  /** {@code ch} closed; drop it from whatever the pool keeps. */
  void forget(Channel ch, UpstreamHandler handler);

  EventLoop loop();

  /**
   * The request behind {@code acquire} (a future from {@link #acquire}) gave up (timeout, client gone):
   * if it is still waiting for a connection, stop it waiting. Futures of connections being opened are
   * left alone (their connection is pooled when it arrives).
   */
  default void abandon(Future<Channel> acquire) {}
}
