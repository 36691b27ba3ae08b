package io.meshwork.proxy.transport;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;

/**
 * Which Netty transport the proxy runs on: epoll when available (fewer copies, edge-triggered),
 * NIO otherwise, or NIO when forced with {@code -Dmeshwork.transport=nio}. Every channel gets the
 * pooled allocator, TCP_NODELAY and AUTO_READ off: reads are requested explicitly, which is the
 * proxy's back-pressure.
 */
public enum Transport {
  EPOLL, NIO;

  /** The transport for this process. */
  public static Transport detect() {
    var forced = System.getProperty("meshwork.transport", "");
    if (forced.equalsIgnoreCase("nio")) {
      return NIO;
    }
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  public EventLoopGroup newGroup(int threads) {
    IoHandlerFactory f = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, f);
  }

  /**
   * A group whose threads come from {@code threads} (null: Netty's own). A test gives threads that
   * live in a pod's network namespace as the proxy's user, so the sockets they open are the pod's.
   */
  public EventLoopGroup newGroup(int threads, java.util.concurrent.ThreadFactory factory) {
    if (factory == null) {
      return newGroup(threads);
    }
    IoHandlerFactory f = this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, factory, f);
  }

  public Class<? extends ServerChannel> serverChannel() {
    return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannel() {
    return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** A server bootstrap with the proxy's socket options. */
  public ServerBootstrap server(EventLoopGroup group) {
    return new ServerBootstrap().group(group).channel(serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
  }

  /** A client bootstrap bound to one event loop (the inbound connection's), with a connect timeout. */
  public Bootstrap client(io.netty.channel.EventLoop loop, int connectTimeoutMillis) {
    return new Bootstrap().group(loop).channel(socketChannel())
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectTimeoutMillis));
  }
}
