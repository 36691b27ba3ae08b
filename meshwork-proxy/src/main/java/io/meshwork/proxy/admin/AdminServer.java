package io.meshwork.proxy.admin;

import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;

/** Binds the admin endpoints ({@link AdminHandler}) on the proxy's event loops. */
public final class AdminServer {
  private AdminServer() {}

  public static Channel bind(Transport transport, EventLoopGroup group, InetSocketAddress address,
      SnapshotHolder snapshots, Stats stats, AdminActions actions,
      io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) throws InterruptedException {
    return transport.server(group)
        .childOption(ChannelOption.AUTO_READ, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new AdminHandler(snapshots, stats, actions, telemetry));
          }
        })
        .bind(address).sync().channel();
  }

  /** Binds a listener that serves only {@code /stats/prometheus} (Istio's {@code :15090}). */
  public static Channel bindPrometheus(Transport transport, EventLoopGroup group, InetSocketAddress address,
      SnapshotHolder snapshots, Stats stats, io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) throws InterruptedException {
    return transport.server(group)
        .childOption(ChannelOption.AUTO_READ, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new PrometheusHandler(snapshots, stats, telemetry));
          }
        })
        .bind(address).sync().channel();
  }
}
