package io.meshwork.proxy.tcp;

import io.meshwork.proxy.config.RbacConfig;
import io.meshwork.proxy.config.RbacRequest;
import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.transport.PeerIdentity;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;

/**
 * {@code envoy.filters.network.rbac} in front of the TCP proxy. It holds the connection back from
 * the proxy handler (no {@code channelActive}, so no upstream connection and no byte forwarded)
 * until it can decide: after the TLS handshake when the connection has TLS (the peer identity is
 * known then), otherwise on the first bytes (Envoy's network RBAC also decides on data; a
 * server-first protocol behind an RBAC-guarded plaintext port waits for the client to speak). A
 * denied connection is closed and nothing reaches the upstream. Counters
 * {@code <stat_prefix>rbac.allowed/denied/shadow_*}, as Envoy names them.
 */
public final class NetworkRbacGate extends ChannelInboundHandlerAdapter {
  private static final System.Logger AUDIT = System.getLogger("io.meshwork.proxy.rbac.audit");
  private final List<RbacConfig> filters;
  private final Stats stats;
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private boolean decided;

  public NetworkRbacGate(List<RbacConfig> filters, Stats stats) {
    this.filters = filters;
    this.stats = stats;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.read(); // AUTO_READ is off: ask for the first bytes (or let the TLS handshake proceed)
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent e && !decided) {
      if (!e.isSuccess()) {
        ctx.close();
        return;
      }
      decide(ctx);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (decided) {
      ctx.fireChannelRead(msg);
      return;
    }
    held.add(msg);
    if (ctx.pipeline().get(SslHandler.class) == null) {
      decide(ctx);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    if (decided) {
      ctx.fireChannelInactive();
    }
  }

  private void decide(ChannelHandlerContext ctx) {
    decided = true;
    var ch = ctx.channel();
    var local = (InetSocketAddress) ch.localAddress();
    var remote = (InetSocketAddress) ch.remoteAddress();
    var attrs = new RbacRequest(null, local.getAddress(), local.getPort(), remote.getAddress(), null, PeerIdentity.of(ch), null);
    for (var f : filters) {
      var p = f.statPrefix() == null ? "" : f.statPrefix();
      if (f.shadowRules() != null) {
        counter(p, f.shadowRules().decide(attrs).allowed() ? "shadow_allowed" : "shadow_denied").inc();
      }
      var d = f.decide(attrs);
      if (f.rules() != null && f.rules().action() == RbacConfig.Action.LOG) {
        counter(p, d.log() ? "logged" : "not_logged").inc();
        if (d.log()) {
          AUDIT.log(System.Logger.Level.INFO, "rbac audit (tcp): policy={0} peer={1} principal={2}", d.policy(),
              remote.getAddress().getHostAddress(), attrs.peer().principal().isEmpty() ? "-" : attrs.peer().principal());
        }
        continue;
      }
      counter(p, d.allowed() ? "allowed" : "denied").inc();
      if (!d.allowed()) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
        ctx.close();
        return;
      }
    }
    ctx.fireChannelActive();
    Object m;
    while ((m = held.poll()) != null) {
      ctx.fireChannelRead(m);
    }
    ctx.pipeline().remove(this);
  }

  private Counter counter(String prefix, String name) {
    return stats.counter(prefix + "rbac." + name);
  }
}
