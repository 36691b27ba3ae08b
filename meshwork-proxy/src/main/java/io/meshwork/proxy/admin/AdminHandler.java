package io.meshwork.proxy.admin;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.xds.EnvoyTypes;
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
 * Serves the admin endpoints. Output formats follow Envoy's so that tools and habits carry over:
 * {@code /clusters} prints {@code cluster::host::stat::value} lines, {@code /stats} prints
 * {@code name: value} lines (optionally {@code ?filter=RE2}), {@code /config_dump} prints an
 * {@code envoy.admin.v3.ConfigDump} as JSON (with the SDS secrets, keys redacted: {@link SecretsDump}).
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final SnapshotHolder snapshots;
  private final Stats stats;
  private final AdminActions actions;
  private final io.meshwork.proxy.telemetry.ProxyTelemetry telemetry;

  AdminHandler(SnapshotHolder snapshots, Stats stats, AdminActions actions, io.meshwork.proxy.telemetry.ProxyTelemetry telemetry) {
    this.telemetry = telemetry;
    this.snapshots = snapshots;
    this.stats = stats;
    this.actions = actions;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    var qs = new QueryStringDecoder(req.uri());
    String body;
    String type = "text/plain; charset=UTF-8";
    int status = 200;
    Runnable after = null;
    boolean post = req.method().name().equals("POST");
    switch (qs.path()) {
      case "/stats/prometheus" -> {
        boolean om = PrometheusPage.wantsOpenMetrics(req.headers().get(HttpHeaderNames.ACCEPT));
        body = PrometheusPage.render(snapshots, stats, telemetry, om);
        type = PrometheusPage.contentType(om);
      }
      case "/drain_listeners", "/quitquitquit" -> {
        if (!post) {
          status = 405;
          body = "this operation requires POST\n";
        } else if (qs.path().equals("/drain_listeners")) {
          actions.drainListeners();
          body = "OK\n";
        } else {
          body = "OK\n";
          after = actions::quit;
        }
      }
      case "/ready" -> body = "LIVE\n";
      case "/config_dump" -> {
        body = configDump();
        type = "application/json";
      }
      case "/clusters" -> body = clusters();
      case "/stats" -> {
        var filter = qs.parameters().get("filter");
        try {
          body = stats(filter == null ? null : Pattern.compile(filter.get(0)));
        } catch (PatternSyntaxException e) {
          status = 400;
          body = "invalid filter regex: " + e.getMessage() + "\n";
        }
      }
      default -> {
        status = 404;
        body = "unknown admin path; try /ready, /config_dump, /clusters, /stats, /stats/prometheus,"
            + " POST /drain_listeners, POST /quitquitquit\n";
      }
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
    if (after != null) {
      var action = after;
      // Shut down off the event loop: closing the proxy waits for its event loops to terminate.
      f.addListener(done -> Thread.ofPlatform().name("meshwork-quit").start(action));
    }
  }

  private String configDump() {
    var config = snapshots.current().config();
    var clusters = ClustersConfigDump.newBuilder().setVersionInfo(Long.toString(config.version()));
    var listeners = ListenersConfigDump.newBuilder().setVersionInfo(Long.toString(config.version()));
    config.resources().forEach((key, message) -> {
      if (message instanceof Cluster c) {
        clusters.addStaticClusters(ClustersConfigDump.StaticCluster.newBuilder().setCluster(Any.pack(c)));
      } else if (message instanceof Listener l) {
        listeners.addStaticListeners(ListenersConfigDump.StaticListener.newBuilder().setListener(Any.pack(l)));
      }
    });
    var dump = ConfigDump.newBuilder().addConfigs(Any.pack(listeners.build())).addConfigs(Any.pack(clusters.build()));
    // Envoy's order: ... listeners, routes, clusters, ..., secrets (last). Keys are redacted (SecretsDump).
    var gatewaySecrets = new java.util.ArrayList<io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret>();
    config.resources().forEach((key, message) -> {
      if (message instanceof io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret s) {
        gatewaySecrets.add(s); // already redacted by XdsConfigBuilder
      }
    });
    dump.addConfigs(Any.pack(SecretsDump.of(actions.secrets(), gatewaySecrets, Long.toString(config.version()))));
    try {
      return JsonFormat.printer().usingTypeRegistry(EnvoyTypes.registry()).preservingProtoFieldNames().print(dump) + "\n";
    } catch (InvalidProtocolBufferException e) {
      return "{\"error\": \"" + e.getMessage().replace("\"", "'") + "\"}\n";
    }
  }

  private String clusters() {
    var sb = new StringBuilder();
    var snap = snapshots.current();
    snap.clusters().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(c -> {
      var n = c.name();
      sb.append(n).append("::observability_name::").append(n).append('\n');
      for (var h : c.hosts()) {
        var p = n + "::" + h.hostPort() + "::";
        sb.append(p).append("rq_active::").append(h.activeRequests()).append('\n');
        sb.append(p).append("rq_error::").append(h.errors()).append('\n');
        sb.append(p).append("rq_total::").append(h.requestTotal()).append('\n');
        var flags = new java.util.ArrayList<String>();
        if (!h.healthy()) {
          flags.add("/eds_health_status");
        }
        if (c.isEjected(h)) {
          flags.add("/failed_outlier_check");
        }
        sb.append(p).append("health_flags::").append(flags.isEmpty() ? "healthy" : String.join("", flags)).append('\n');
        sb.append(p).append("weight::").append(h.weight()).append('\n');
        sb.append(p).append("priority::").append(h.config().priority()).append('\n');
      }
    });
    return sb.toString();
  }

  private String stats(Pattern filter) {
    var sb = new StringBuilder();
    stats.snapshot().forEach((k, v) -> {
      if (filter == null || filter.matcher(k).find()) {
        sb.append(k).append(": ").append(v).append('\n');
      }
    });
    return sb.toString();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
