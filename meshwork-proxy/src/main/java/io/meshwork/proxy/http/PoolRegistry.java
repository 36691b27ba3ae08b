package io.meshwork.proxy.http;

import io.meshwork.proxy.transport.Transport;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link Http1ConnectionPool} per event loop, created on first use. */
public final class PoolRegistry {
  private final Transport transport;
  private final ConcurrentHashMap<EventLoop, Http1ConnectionPool> pools = new ConcurrentHashMap<>();

  public PoolRegistry(Transport transport) {
    this.transport = transport;
  }

  Http1ConnectionPool forLoop(EventLoop loop) {
    return pools.computeIfAbsent(loop, l -> new Http1ConnectionPool(l, transport));
  }
}
