package io.meshwork.proxy.admin;

import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.telemetry.ProxyTelemetry;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The dedicated Prometheus listener ({@code :15090} in Istio): {@code GET /stats/prometheus} and
 * nothing else, so that exposing it never exposes the admin operations.
 */
final class PrometheusHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final SnapshotHolder snapshots;
  private final Stats stats;
  private final ProxyTelemetry telemetry;

  PrometheusHandler(SnapshotHolder snapshots, Stats stats, ProxyTelemetry telemetry) {
    this.snapshots = snapshots;
    this.stats = stats;
    this.telemetry = telemetry;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    var path = new QueryStringDecoder(req.uri()).path();
    int status;
    String body;
    String type;
    if (path.equals("/stats/prometheus") || path.equals("/metrics")) {
      boolean om = PrometheusPage.wantsOpenMetrics(req.headers().get(HttpHeaderNames.ACCEPT));
      status = 200;
      body = PrometheusPage.render(snapshots, stats, telemetry, om);
      type = PrometheusPage.contentType(om);
    } else {
      status = 404;
      body = "this port serves only /stats/prometheus\n";
      type = "text/plain; charset=utf-8";
    }
    var content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
    var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpUtil.setKeepAlive(res, keepAlive);
    var f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
