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

/**
 * Builds a TCP proxy pipeline ({@code [TlsDetector] [SslHandler → PeerIdentityHandler] → [IdleStateHandler] → TcpProxyHandler})
 * from the current snapshot.
 */
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
    var listener = snapshots.current().config().listener(listenerName);
    if (listener == null || !(listener.protocol() instanceof ListenerConfig.Tcp tcp)) {
      ch.close();
      return;
    }
    if (listener.tls() != null) {
      // TLS termination, then opaque bytes to the cluster. The TCP proxy reads explicitly; the TLS
      // handshake needs reads of its own, which SslHandler requests while AUTO_READ is off.
      // PERMISSIVE decides on the first byte, after the channel is active: the proxy handler is
      // then told about the active channel itself. Over TLS, Istio's TCP metadata exchange runs
      // when ALPN negotiated istio-peer-exchange.
      boolean late = listener.tls().allowPlaintext() || io.meshwork.proxy.listener.ChainsListenerInitializer.selected(ch);
      java.util.function.Consumer<io.netty.channel.ChannelPipeline> withTls = p -> {
        p.addLast("peer_exchange", io.meshwork.proxy.telemetry.PeerExchange.afterHandshake(telemetry));
        proxy(p, tcp, late);
      };
      java.util.function.Consumer<io.netty.channel.ChannelPipeline> plain = p -> proxy(p, tcp, late);
      if (!io.meshwork.proxy.mtls.MeshTlsHandlers.downstream(ch, tls, listener.tls(), withTls, plain)) {
        ch.close(); // no workload certificate yet
      }
      return;
    }
    // A filter chain chosen after the first bytes joins a channel that is already active.
    proxy(ch.pipeline(), tcp, io.meshwork.proxy.listener.ChainsListenerInitializer.selected(ch));
  }

  private void proxy(io.netty.channel.ChannelPipeline p, ListenerConfig.Tcp tcp, boolean active) {
    var idle = tcp.tcp().idleTimeout();
    if (!idle.isZero()) {
      p.addLast("idle", new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS));
    }
    // Network RBAC holds the connection back from the TCP proxy until it has decided; it fires
    // channelActive itself, also on a channel that was already active (PERMISSIVE decides late).
    boolean gated = !tcp.rbac().isEmpty();
    if (gated) {
      p.addLast("rbac", new NetworkRbacGate(tcp.rbac(), stats));
    }
    telemetry.connectionOpened(p.channel());
    var handler = new TcpProxyHandler(tcp.tcp(), snapshots, transport, accessLog, stats, tls,
        telemetry.tcp(listenerName, tcp.tcp().cluster()));
    p.addLast("tcp_proxy", handler);
    if (active && !gated) {
      try {
        handler.channelActive(p.context(handler));
      } catch (Exception e) {
        p.channel().close();
      }
    }
  }
}
