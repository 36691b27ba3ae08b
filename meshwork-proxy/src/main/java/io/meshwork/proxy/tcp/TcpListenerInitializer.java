package io.meshwork.proxy.tcp;

import io.meshwork.proxy.accesslog.AccessLogWriter;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** Builds a TCP proxy pipeline ({@code [SslHandler] → [IdleStateHandler] → TcpProxyHandler}) from the current snapshot. */
public final class TcpListenerInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final SnapshotHolder snapshots;
  private final Transport transport;
  private final AccessLogWriter accessLog;
  private final Stats stats;
  private final io.meshwork.proxy.tls.TlsContexts tls;
  private final io.meshwork.proxy.telemetry.ProxyTelemetry telemetry;

  public TcpListenerInitializer(String listenerName, SnapshotHolder snapshots, Transport transport,
      AccessLogWriter accessLog, Stats stats, io.meshwork.proxy.tls.TlsContexts tls) {
    this(listenerName, snapshots, transport, accessLog, stats, tls, new io.meshwork.proxy.telemetry.ProxyTelemetry());
  }

  /** {@code telemetry}: istio_tcp_* metrics and, over mTLS with ALPN istio-peer-exchange, the metadata exchange. */
  public TcpListenerInitializer(String listenerName, SnapshotHolder snapshots, Transport transport,
      AccessLogWriter accessLog, Stats stats, io.meshwork.proxy.tls.TlsContexts tls,
      io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) {
    this.telemetry = telemetry;
    this.listenerName = listenerName;
    this.snapshots = snapshots;
    this.transport = transport;
    this.accessLog = accessLog;
    this.stats = stats;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    var listener = snapshots.current().config().listeners().stream()
        .filter(l -> l.name().equals(listenerName)).findFirst().orElse(null);
    if (listener == null || !(listener.protocol() instanceof ListenerConfig.Tcp tcp)) {
      ch.close();
      return;
    }
    if (listener.tls() != null) {
      // TLS termination, then opaque bytes to the cluster. The TCP proxy reads explicitly; the TLS
      // handshake needs reads of its own, which SslHandler requests while AUTO_READ is off.
      ch.pipeline().addLast("tls", tls.server(listener.tls()).newHandler(ch.alloc()));
      ch.pipeline().addLast("peer_exchange", io.meshwork.proxy.telemetry.PeerExchange.afterHandshake(telemetry));
    }
    var idle = tcp.tcp().idleTimeout();
    if (!idle.isZero()) {
      ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
    }
    telemetry.connectionOpened(ch);
    ch.pipeline().addLast("tcp_proxy", new TcpProxyHandler(tcp.tcp(), snapshots, transport, accessLog, stats,
        telemetry.tcp(listenerName, tcp.tcp().cluster())));
  }
}
