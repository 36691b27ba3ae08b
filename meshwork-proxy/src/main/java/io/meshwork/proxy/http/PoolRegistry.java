package io.meshwork.proxy.http;

import io.meshwork.proxy.transport.Transport;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link Http1ConnectionPool} and one {@link Http2ConnectionPool} per event loop, created on first use. */
public final class PoolRegistry {
  private final Transport transport;
  private final ConcurrentHashMap<EventLoop, Http1ConnectionPool> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<EventLoop, Http2ConnectionPool> h2pools = new ConcurrentHashMap<>();

  public PoolRegistry(Transport transport) {
    this.transport = transport;
  }

  Http1ConnectionPool forLoop(EventLoop loop) {
    return pools.computeIfAbsent(loop, l -> new Http1ConnectionPool(l, transport));
  }

  /** The loop's pool for the cluster's upstream protocol. */
  UpstreamPool forLoop(EventLoop loop, boolean http2) {
    return http2 ? h2pools.computeIfAbsent(loop, l -> new Http2ConnectionPool(l, transport)) : forLoop(loop);
  }
}
