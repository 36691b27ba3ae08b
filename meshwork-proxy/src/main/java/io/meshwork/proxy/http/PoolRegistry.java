package io.meshwork.proxy.http;

import io.meshwork.proxy.transport.Transport;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link Http1ConnectionPool} and one {@link Http2ConnectionPool} per event loop, created on first use. */
public final class PoolRegistry {
  private final Transport transport;
  private final ConcurrentHashMap<EventLoop, Http1ConnectionPool> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<EventLoop, Http2ConnectionPool> h2pools = new ConcurrentHashMap<>();

  private final io.meshwork.proxy.tls.TlsContexts tls;

  public PoolRegistry(Transport transport) {
    this(transport, new io.meshwork.proxy.tls.TlsContexts());
  }

  /** Pools whose connections originate TLS (DestinationRule tls, auto mTLS) with {@code tls}'s contexts. */
  public PoolRegistry(Transport transport, io.meshwork.proxy.tls.TlsContexts tls) {
    this.transport = transport;
    this.tls = tls;
  }

  Http1ConnectionPool forLoop(EventLoop loop) {
    var pool = pools.get(loop); // a plain get first: computeIfAbsent's capturing lambda costs an object per request
    return pool != null ? pool : pools.computeIfAbsent(loop, l -> new Http1ConnectionPool(l, transport, tls));
  }

  /** The loop's pool for the cluster's upstream protocol. */
  UpstreamPool forLoop(EventLoop loop, boolean http2) {
    if (!http2) {
      return forLoop(loop);
    }
    var pool = h2pools.get(loop);
    return pool != null ? pool : h2pools.computeIfAbsent(loop, l -> new Http2ConnectionPool(l, transport, tls));
  }

  /** Pools whose mesh TLS connections offer an {@code istio.alpn} override, per loop, protocol and ALPN list. */
  private final ConcurrentHashMap<AlpnPoolKey, UpstreamPool> alpnPools = new ConcurrentHashMap<>();

  private record AlpnPoolKey(EventLoop loop, boolean http2, java.util.List<String> alpn) {}

  /**
   * The loop's pool for the upstream protocol whose mesh TLS connections offer {@code alpn} (Istio's
   * per-connection ALPN, {@code istio.alpn}; null: the cluster's own, the pool above). Connections with
   * different ALPN are kept in different pools: the server may serve them on different filter chains.
   */
  UpstreamPool forLoop(EventLoop loop, boolean http2, java.util.List<String> alpn) {
    if (alpn == null) {
      return forLoop(loop, http2);
    }
    return alpnPools.computeIfAbsent(new AlpnPoolKey(loop, http2, java.util.List.copyOf(alpn)), k -> k.http2()
        ? new Http2ConnectionPool(k.loop(), transport, tls, k.alpn()) : new Http1ConnectionPool(k.loop(), transport, tls, k.alpn()));
  }
}
