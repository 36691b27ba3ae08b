package io.meshwork.proxy.http;

import io.meshwork.proxy.accesslog.AccessLogEntry;
import io.meshwork.proxy.config.FaultConfig;
import io.meshwork.proxy.config.HeaderMutations;
import io.meshwork.proxy.config.Route;
import io.meshwork.proxy.config.RouteAction;
import io.meshwork.proxy.config.RouteTable;
import io.meshwork.proxy.config.VirtualHost;
import io.meshwork.proxy.runtime.HttpListenerRuntime;
import io.meshwork.proxy.runtime.Snapshot;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request/response exchange on a downstream HTTP/1.1 connection: the per-request context
 * (start time, route, cluster, response flags, byte counts) and the stages that act on it —
 * validation, routing, local replies — up to handing the request to an {@link UpstreamCall}. It
 * writes the response downstream and emits the access log line and status counters exactly once.
 * The request is whole (aggregated), or a {@link StreamedRequest} whose body chunks arrive through
 * {@link #requestContent} while the exchange runs and go on to the upstream attempt as they come.
 * Runs entirely on the downstream connection's event loop.
 */
final class Exchange {
  private final ChannelHandlerContext ctx;
  private final DownstreamHandler connection;
  private final HttpListenerRuntime listener;
  private final Snapshot snapshot;
  private final HttpServices services;
  private final FullHttpRequest request;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();
  private final String requestId;
  int flags;
  private int status;
  private long bytesSent;
  private String upstreamHost;
  private Long upstreamServiceTime;
  private boolean keepAlive;
  private boolean responseStarted;
  private boolean done;
  private ChannelFuture lastWrite;
  private UpstreamCall call;
  private HeaderMutations[] responseMutations = NO_MUTATIONS;
  private static final HeaderMutations[] NO_MUTATIONS = new HeaderMutations[0];
  private String upgrade;
  private String corsOrigin;
  private io.meshwork.proxy.config.CorsConfig corsPolicy;
  private HttpAuthz authz;
  private final io.meshwork.proxy.telemetry.RequestTelemetry telemetry;
  private io.meshwork.proxy.tracing.HttpSpan span;
  private String clusterName;
  private String routeName;
  /** The matched route's decorator operation (the span name), null when it has none. */
  private String routeOperation;
  private HttpHeaders responseHeaders;
  /** The body of a streamed request (gRPC over HTTP/2, {@link StreamedRequest}) as it arrives; null when aggregated. */
  private final StreamedRequestBody body;
  /** Why reading from the client is paused ({@link #BUFFER_FULL}, {@link #UPSTREAM_BUSY}); 0: reading. */
  private int readPauses;
  static final int BUFFER_FULL = 1;
  static final int UPSTREAM_BUSY = 2;
  /** A streamed request's route with mirror policies, until the body is whole (then shadowed) or too long. */
  private RouteAction.Forward mirrors;
  private FullHttpRequest mirrorHead;

  Exchange(ChannelHandlerContext ctx, DownstreamHandler connection, HttpListenerRuntime listener, Snapshot snapshot,
      HttpServices services, FullHttpRequest request) {
    this.ctx = ctx;
    this.connection = connection;
    this.listener = listener;
    this.snapshot = snapshot;
    this.services = services;
    this.request = request;
    this.body = request instanceof StreamedRequest ? new StreamedRequestBody(StreamedRequestBody.RETRY_BUFFER_LIMIT) : null;
    var id = request.headers().get("x-request-id");
    this.requestId = id != null ? id : newRequestId();
    this.telemetry = services.telemetry().request(listener.listenerName(), ctx.channel());
    telemetry.onRequest(request.headers(), request.decoderResult().isSuccess() ? request.method().name() : null,
        listener.tls() != null ? "https" : "http", request.content());
  }

  /** Validates, routes and either answers locally or starts the upstream call. */
  void run() {
    listener.stats().downstreamRqTotal.inc();
    var result = request.decoderResult();
    if (result.isFailure()) {
      listener.stats().downstreamCxProtocolError.inc();
      var cause = result.cause();
      int code = cause instanceof TooLongHttpHeaderException ? 431
          : cause instanceof TooLongHttpLineException ? 414
          : cause instanceof TooLongFrameException ? 413 : 400;
      localReply(code, code == 400 ? "Bad Request" : "", ResponseFlags.DPE, true);
      return;
    }
    var problem = Http1Checks.problem(request);
    if (problem != null) {
      listener.stats().downstreamCxProtocolError.inc();
      localReply(400, "Bad Request", ResponseFlags.DPE, true);
      return;
    }
    keepAlive = HttpUtil.isKeepAlive(request);
    upgrade = Http1Checks.upgradeType(request);
    var filters = listener.hcm().filters();
    if (!filters.isEmpty() && filters.getFirst() instanceof io.meshwork.proxy.config.PathNormalizationConfig n
        && !HttpAuthz.normalize(n, request)) {
      listener.stats().downstreamCxProtocolError.inc();
      localReply(400, "Bad Request", ResponseFlags.DPE, true);
      return;
    }
    span = io.meshwork.proxy.tracing.HttpSpan.start(services.tracer(), listener.hcm().tracing(), request.headers(),
        startMillis, startNanos);
    runFilters(new NettyRequestHead(request), 0);
  }

  /**
   * Runs the HTTP filters from {@code index} on, then the router. A fault delay suspends the chain
   * on a timer of this event loop and resumes it (unless the client left meanwhile).
   */
  private void runFilters(NettyRequestHead head, int index) {
    var filters = listener.hcm().filters();
    var matched = matchedRoute(head);
    for (int i = index; i < filters.size(); i++) {
      if (filters.get(i) instanceof io.meshwork.proxy.config.CorsConfig && matched != null && matched.cors() != null
          && corsPreflight(matched.cors(), head)) {
        return;
      }
      // A route's typed_per_filter_config replaces the connection manager's fault config for that route.
      var filter = filters.get(i) instanceof FaultConfig && matched != null && matched.fault() != null ? matched.fault() : filters.get(i);
      if (filter instanceof io.meshwork.proxy.config.JwtAuthnConfig j && j.requirement() != io.meshwork.proxy.config.JwtAuthnConfig.Requirement.NONE) {
        if (j.remote()) {
          // Verification may fetch keys: off the event loop, then resume the chain here.
          var req = HttpAuthz.jwtRequest(request);
          int next = i;
          HttpAuthz.BLOCKING.execute(() -> {
            var result = j.authenticator().authenticate(req);
            ctx.executor().execute(() -> {
              if (!done && jwtPasses(j, result)) {
                runFilters(new NettyRequestHead(request), next + 1);
              }
            });
          });
          return;
        }
        if (!jwtPasses(j, j.authenticator().authenticate(HttpAuthz.jwtRequest(request)))) {
          return;
        }
        continue; // header changes are visible: the head reads the request's headers
      }
      if (filter instanceof io.meshwork.proxy.config.RbacConfig r) {
        if (!authz().rbac(r, head, ctx.channel(), listener.stats())) {
          localReply(403, HttpAuthz.DENIED_BODY, 0, false);
          return;
        }
        continue;
      }
      if (filter instanceof FaultConfig f && FaultFilter.applies(f, head)) {
        long delay = FaultFilter.delayMillis(f, head);
        if (delay >= 0) {
          flags |= ResponseFlags.DI;
          listener.stats().faultDelaysInjected.inc();
          int next = i;
          ctx.executor().schedule(() -> {
            if (!done && !abortByFault(f, head)) {
              runFilters(head, next + 1);
            }
          }, delay, TimeUnit.MILLISECONDS);
          return;
        }
        if (abortByFault(f, head)) {
          return;
        }
      }
    }
    route(head);
  }

  private HttpAuthz authz() {
    if (authz == null) {
      authz = new HttpAuthz();
    }
    return authz;
  }

  /** Applies a JWT outcome; answers 401 (Envoy's message as the body) and returns false when refused. */
  private boolean jwtPasses(io.meshwork.proxy.config.JwtAuthnConfig j, io.meshwork.security.jwt.JwtResult result) {
    var refusal = authz().applyJwt(j, result, request, listener.stats());
    if (refusal != null) {
      localReply(401, refusal, 0, false);
      return false;
    }
    return true;
  }

  private boolean abortByFault(FaultConfig f, NettyRequestHead head) {
    int status = FaultFilter.abortStatus(f, head);
    if (status < 0) {
      return false;
    }
    listener.stats().faultAbortsInjected.inc();
    localReply(status, "fault filter abort", ResponseFlags.FI, false);
    return true;
  }

  private Route matchedRoute(NettyRequestHead head) {
    VirtualHost vh = listener.hcm().routes().virtualHost(head.authority());
    return vh == null ? null : vh.route(head);
  }

  /**
   * CORS ({@code envoy.filters.http.cors} with the route's policy): answers an allowed preflight
   * locally (true), otherwise remembers the allowed origin so the response carries it.
   */
  private boolean corsPreflight(io.meshwork.proxy.config.CorsConfig cors, NettyRequestHead head) {
    var origin = head.header("origin");
    if (!cors.allows(origin)) {
      return false;
    }
    corsOrigin = origin;
    corsPolicy = cors;
    if (request.method().equals(io.netty.handler.codec.http.HttpMethod.OPTIONS)
        && head.header("access-control-request-method") != null) {
      var res = reply(200, "");
      var h = res.headers();
      setIfPresent(h, "access-control-allow-methods", cors.allowMethods());
      setIfPresent(h, "access-control-allow-headers", cors.allowHeaders());
      setIfPresent(h, "access-control-max-age", cors.maxAge());
      applyCors(h);
      send(res, 0);
      return true;
    }
    return false;
  }

  private static void setIfPresent(HttpHeaders h, String name, String value) {
    if (value != null && !value.isEmpty()) {
      h.set(name, value);
    }
  }

  private void applyCors(HttpHeaders h) {
    if (corsOrigin == null) {
      return;
    }
    h.set("access-control-allow-origin", corsOrigin);
    if (corsPolicy.allowCredentials()) {
      h.set("access-control-allow-credentials", "true");
    }
    setIfPresent(h, "access-control-expose-headers", corsPolicy.exposeHeaders());
  }

  private void route(NettyRequestHead head) {
    RouteTable table = listener.hcm().routes();
    VirtualHost vh = table.virtualHost(head.authority());
    Route route = vh == null ? null : vh.route(head);
    if (route == null) {
      listener.stats().noRoute.inc();
      localReply(404, "", ResponseFlags.NR, false);
      return;
    }
    routeName = route.name();
    routeOperation = route.operation();
    switch (route.action()) {
      case RouteAction.DirectResponse d -> {
        listener.stats().rqDirectResponse.inc();
        responseMutations = new HeaderMutations[] {route.responseHeaders(), vh.responseHeaders(), table.responseHeaders()};
        localReply(d.status(), d.body(), 0, false);
      }
      case RouteAction.Redirect r -> {
        listener.stats().rqRedirect.inc();
        responseMutations = new HeaderMutations[] {route.responseHeaders(), vh.responseHeaders(), table.responseHeaders()};
        var res = reply(r.status(), "");
        res.headers().set(HttpHeaderNames.LOCATION, Rewrites.location(head, route.match().path(), r));
        send(res, 0);
      }
      case RouteAction.Forward f -> forward(head, table, vh, route, f);
    }
  }

  private void forward(NettyRequestHead head, RouteTable table, VirtualHost vh, Route route, RouteAction.Forward f) {
    String clusterName;
    HeaderMutations clusterRequest = HeaderMutations.NONE;
    HeaderMutations clusterResponse = HeaderMutations.NONE;
    switch (f.clusters()) {
      case RouteAction.SingleCluster s -> clusterName = s.name();
      case RouteAction.WeightedClusters w -> {
        var pick = w.pick(ThreadLocalRandom.current().nextInt(w.totalWeight()));
        clusterName = pick.name();
        clusterRequest = pick.requestHeaders();
        clusterResponse = pick.responseHeaders();
      }
    }
    var cluster = snapshot.cluster(clusterName);
    if (cluster == null) {
      localReply(503, "", ResponseFlags.NC, false);
      return;
    }
    this.clusterName = clusterName;
    if (upgrade != null && !f.allowsUpgrade(upgrade, listener.hcm().upgradeTypes())) {
      localReply(403, "", 0, true); // Envoy refuses upgrades that are not configured
      return;
    }
    responseMutations = new HeaderMutations[] {clusterResponse, route.responseHeaders(), vh.responseHeaders(),
        table.responseHeaders()};
    var upstream = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
        Rewrites.upstreamPath(head, route.match().path(), f), request.content(),
        request.headers().copy(), request.trailingHeaders());
    var h = upstream.headers();
    Http1Checks.removeHopByHop(h);
    if (body == null && (request.content().isReadable() || request.headers().contains(HttpHeaderNames.CONTENT_LENGTH))) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, decimal(request.content().readableBytes()));
    }
    h.set(HttpHeaderNames.HOST, f.hostRewrite() != null ? f.hostRewrite() : head.authority());
    if (!h.contains("x-forwarded-proto")) {
      h.set("x-forwarded-proto", head.scheme());
    }
    h.set("x-request-id", requestId);
    if (span != null) {
      span.inject(h); // this proxy's span is the parent of whatever the next hop records
    }
    if (upgrade != null) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.set(HttpHeaderNames.UPGRADE, request.headers().get(HttpHeaderNames.UPGRADE));
    }
    clusterRequest.apply(h);
    route.requestHeaders().apply(h);
    vh.requestHeaders().apply(h);
    table.requestHeaders().apply(h);
    telemetry.onForward(clusterName, h);
    if (body == null) {
      for (var m : f.mirrors()) {
        MirrorCall.maybeStart(m, upstream, snapshot, services.pools(), ctx.channel().eventLoop(), f.timeout());
      }
    } else if (!f.mirrors().isEmpty()) {
      mirrors = f;
      mirrorHead = upstream;
      mirrorIfWhole(); // the client may have half-closed already
    }
    var hash = f.hashPolicies().isEmpty() ? null : RequestHash.compute(f.hashPolicies(), head, ctx.channel().remoteAddress());
    boolean http2Upstream = cluster.config().http2For("HTTP/2".equals(connection.protocol()));
    if (upgrade != null && http2Upstream) {
      localReply(403, "", 0, true); // upgrades need an HTTP/1.1 upstream
      return;
    }
    if (body != null && !http2Upstream && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // streamed to an HTTP/1.1 upstream
    }
    call = new UpstreamCall(this, cluster, f, upstream,
        services.pools().forLoop(ctx.channel().eventLoop(), http2Upstream,
            io.meshwork.proxy.config.AlpnOverrideConfig.find(listener.hcm().filters(), http2Upstream)), hash, body);
    call.start();
  }

  // ---- called by UpstreamCall ----

  /**
   * Capture mode: the host an {@code ORIGINAL_DST} cluster (PassthroughCluster, e.g. Istio's
   * {@code allow_any} virtual host) sends this request to, the downstream connection's original
   * destination; null when the cluster is not one or the connection was not captured.
   */
  io.meshwork.proxy.cluster.Host originalDestinationHost(String cluster) {
    var captured = io.meshwork.proxy.capture.Captured.of(ctx.channel());
    if (captured == null || captured.originalDestination() == null
        || !snapshot.config().capture().originalDstClusters().contains(cluster)) {
      return null;
    }
    return io.meshwork.proxy.cluster.Host.originalDestination(cluster, captured.originalDestination());
  }

  /**
   * Capture mode, TPROXY, inbound: the caller's address the connection to {@code host} (the local
   * app) leaves from, so the app sees the real client; null otherwise.
   */
  io.meshwork.proxy.capture.OriginalSource originalSource(io.meshwork.proxy.cluster.Host host) {
    return io.meshwork.proxy.capture.OriginalSource.of(ctx.channel(), host.address());
  }

  /** The downstream connection's route-timeout deadline, reused by its successive requests. */
  LazyDeadline routeDeadline() {
    return connection.routeDeadline(ctx);
  }

  boolean isUpgrade() {
    return upgrade != null;
  }

  /**
   * The upstream accepted the upgrade (101): forward the 101, then turn both connections into a
   * byte tunnel. The HTTP handlers leave both pipelines; this exchange is logged now (status 101).
   */
  void switchToTunnel(HttpResponse upstream101, io.netty.channel.Channel upstream, String host, long serviceTimeMillis) {
    responseStarted = true;
    upstreamHost = host;
    upstreamServiceTime = serviceTimeMillis;
    status = 101;
    var res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstream101.status(), upstream101.headers().copy());
    ctx.writeAndFlush(res); // encoded by the HTTP/1.1 encoder before it is removed below
    var downstream = ctx.channel();
    var up = upstream.pipeline();
    up.addLast("tunnel", new TunnelRelay(downstream));
    up.remove("upstream");
    up.remove("codec");
    var p = downstream.pipeline();
    p.addLast("tunnel", new TunnelRelay(upstream));
    done = true;
    log();
    releaseRequest();
    p.remove("aggregator");
    p.remove("decoder");
    p.remove("encoder");
    p.remove("downstream");
    downstream.read();
    upstream.read();
  }

  /** Writes the upstream response head downstream (not flushed: the first content flushes it). */
  void writeHead(HttpResponse upstream, String host, long serviceTimeMillis) {
    responseStarted = true;
    upstreamHost = host;
    upstreamServiceTime = serviceTimeMillis;
    status = upstream.status().code();
    // The upstream head is ours alone (decoded for this exchange, never read again), so its headers
    // are edited in place instead of copied: one header map less per request.
    var res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, upstream.status(), upstream.headers());
    var h = res.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(upstream);
    Http1Checks.removeHopByHop(h);
    boolean bodyless = request.method().name().equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    } else if (!h.contains(HttpHeaderNames.CONTENT_LENGTH) && !bodyless) {
      // Close-delimited upstream body: re-frame as chunked for HTTP/1.1 clients, close for HTTP/1.0.
      if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        keepAlive = false;
      }
    }
    h.set("x-envoy-upstream-service-time", decimal(serviceTimeMillis));
    for (var m : responseMutations) {
      m.apply(h);
    }
    applyCors(h);
    setConnectionHeader(h);
    telemetry.onResponseHead(h);
    listener.stats().status(status);
    responseHeaders = h;
    lastWrite = ctx.write(res);
  }

  /** Writes response content downstream and flushes; the returned future completes when written. */
  ChannelFuture writeContent(HttpContent content) {
    bytesSent += content.content().readableBytes();
    telemetry.onResponseContent(content);
    lastWrite = ctx.writeAndFlush(content);
    return lastWrite;
  }

  /** The response was fully written: log, then let the connection continue or close. */
  void complete() {
    if (done) {
      return;
    }
    done = true;
    log();
    releaseRequest();
    if (keepAlive) {
      connection.exchangeDone(this, true);
    } else {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
      connection.exchangeDone(this, false);
    }
  }

  /** The response cannot be completed after it started (upstream reset, timeout): close downstream. */
  void abortResponse(int flag) {
    if (done) {
      return;
    }
    flags |= flag;
    done = true;
    log();
    releaseRequest();
    connection.exchangeDone(this, false);
    ctx.close();
  }

  /** Local reply sent instead of an upstream response ("no healthy upstream", 504, ...). */
  void localReply(int code, String body, int flag) {
    localReply(code, body, flag, false);
  }

  /** The client went away before the exchange finished: cancel the upstream side (flag DC). */
  void downstreamClosed() {
    if (done) {
      return;
    }
    flags |= ResponseFlags.DC;
    listener.stats().downstreamRqRxReset.inc();
    if (call != null) {
      call.cancel();
    }
    if (!responseStarted) {
      status = 0;
    }
    done = true;
    log();
    releaseRequest();
  }

  boolean isDone() {
    return done;
  }

  // ---- the body of a streamed request ----

  /**
   * A chunk of a streamed request's body from the client (taken over: released here): counted for
   * telemetry, kept for a retry while allowed, and written to the upstream attempt under way, if any.
   */
  void requestContent(HttpContent content) {
    if (done || body == null) {
      content.release();
      return;
    }
    telemetry.onRequestContent(content.content());
    body.add(content);
    mirrorIfWhole();
    if (call != null) {
      call.forwardRequestContent(content);
    }
    content.release();
    requestBodyProgress();
  }

  /**
   * Shadows a streamed request once the client half-closed, if its whole body is still kept (it fit
   * the retry buffer: a unary or short client-streaming call); a longer stream is not mirrored.
   */
  private void mirrorIfWhole() {
    var f = mirrors;
    if (f == null || !body.ended()) {
      return;
    }
    mirrors = null;
    if (!body.replayable() || body.overLimit()) {
      return;
    }
    var content = body.whole(ctx.alloc());
    var headers = mirrorHead.headers().copy();
    headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
    headers.set(HttpHeaderNames.CONTENT_LENGTH, decimal(content.readableBytes()));
    var whole = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, mirrorHead.method(), mirrorHead.uri(), content, headers,
        body.trailers());
    for (var m : f.mirrors()) {
      MirrorCall.maybeStart(m, whole, snapshot, services.pools(), ctx.channel().eventLoop(), f.timeout());
    }
    whole.release();
  }

  /**
   * Keeps the retry copy of a streamed body bounded: past the limit it is dropped once an attempt has
   * been sent everything (no retry from then on); while no attempt is connected, the client is not
   * read until one is.
   */
  void requestBodyProgress() {
    if (body == null || !body.replayable() || !body.overLimit()) {
      return;
    }
    if (call != null && call.forwarding()) {
      body.stopKeeping();
      resumeReading(BUFFER_FULL);
    } else {
      pauseReading(BUFFER_FULL);
    }
  }

  /** Stops reading from the client (HTTP/2 flow control then holds it back) for {@code why}. */
  void pauseReading(int why) {
    if (done) {
      return;
    }
    if (readPauses == 0) {
      ctx.channel().config().setAutoRead(false);
    }
    readPauses |= why;
  }

  void resumeReading(int why) {
    if (readPauses == 0) {
      return;
    }
    readPauses &= ~why;
    if (readPauses == 0) {
      ctx.channel().config().setAutoRead(true);
      // The stream's WINDOW_UPDATE for what it consumed while paused is written by the read; flush it,
      // or a resume from an upstream write's listener (outside the stream's read loop) leaves the client stalled.
      ctx.channel().read();
      ctx.channel().flush();
    }
  }

  /** The request's buffers go back once the exchange ends; a paused stream reads again (and drops what comes). */
  private void releaseRequest() {
    request.release();
    if (body != null) {
      body.release();
      if (readPauses != 0) {
        readPauses = 0;
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  /** Request body bytes: the aggregate's, or what a streamed request's client sent. */
  private long requestBodyBytes() {
    return body != null ? body.received() : request.content().readableBytes();
  }

  String requestId() {
    return requestId;
  }

  // ---- local replies ----

  private void localReply(int code, String body, int flag, boolean close) {
    if (close) {
      keepAlive = false;
    }
    if (request.decoderResult().isSuccess() && GrpcStatus.isGrpc(request.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      var res = reply(200, "");
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
          .setInt("grpc-status", GrpcStatus.fromHttp(code));
      var message = body.isEmpty() ? HttpResponseStatus.valueOf(code).reasonPhrase() : body;
      res.headers().set("grpc-message", GrpcStatus.message(message));
      res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      send(res, flag);
      return;
    }
    send(reply(code, body), flag);
  }

  private DefaultFullHttpResponse reply(int code, String body) {
    var content = body.isEmpty() ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(ctx.alloc(), body);
    var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), content);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (!body.isEmpty()) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    }
    return res;
  }

  private void send(DefaultFullHttpResponse res, int flag) {
    flags |= flag;
    for (var m : responseMutations) {
      m.apply(res.headers());
    }
    applyCors(res.headers());
    status = res.status().code();
    telemetry.onResponseHead(res.headers());
    responseStarted = true;
    setConnectionHeader(res.headers());
    listener.stats().status(status);
    responseHeaders = res.headers();
    bytesSent += res.content().readableBytes();
    lastWrite = ctx.writeAndFlush(res);
    complete();
  }

  private void setConnectionHeader(HttpHeaders h) {
    if (keepAlive && connection != null && connection.draining()) {
      keepAlive = false; // the listener is draining (removed by an update)
    }
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (!request.protocolVersion().isKeepAliveDefault()) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
  }

  private void log() {
    telemetry.finish(status, ResponseFlags.toString(flags), requestBodyBytes(), bytesSent, upstreamHost);
    if (span != null && span.sampled()) {
      finishSpan(); // an unsampled span costs nothing more here
    }
    var hcm = listener.hcm();
    if (hcm.accessLogs().isEmpty()) {
      return;
    }
    var h = request.headers();
    var path = request.decoderResult().isSuccess() ? request.uri() : null;
    var method = request.decoderResult().isSuccess() ? request.method().name() : null;
    services.accessLog().log(hcm.accessLogs(), new AccessLogEntry(startMillis, method, path,
        connection.protocol(), status, ResponseFlags.toString(flags), requestBodyBytes(),
        bytesSent, (System.nanoTime() - startNanos) / 1_000_000, upstreamServiceTime, h.get("x-forwarded-for"),
        h.get(HttpHeaderNames.USER_AGENT), requestId, h.get(HttpHeaderNames.HOST), upstreamHost, details()));
  }

  /** Headers, cluster, route and addresses for custom access log formats and filters. */
  private io.meshwork.proxy.accesslog.AccessLogDetails details() {
    var peer = io.meshwork.proxy.transport.PeerIdentity.of(ctx.channel());
    var response = responseHeaders;
    var h = request.headers();
    return new io.meshwork.proxy.accesslog.AccessLogDetails(h::get, name -> response == null ? null : response.get(name),
        clusterName, routeName, ctx.channel().remoteAddress(), ctx.channel().localAddress(), peer.mutualTls(), peer.sni());
  }

  private void finishSpan() {
    boolean ok = request.decoderResult().isSuccess();
    int failure = ResponseFlags.UH | ResponseFlags.UT | ResponseFlags.UR | ResponseFlags.UF | ResponseFlags.UC | ResponseFlags.UO
        | ResponseFlags.DC | ResponseFlags.URX | ResponseFlags.NC;
    var h = request.headers();
    span.finish(new io.meshwork.proxy.tracing.HttpSpan.Outcome(snapshot.config().nodeId(), requestId,
        ok ? request.method().name() : null, listener.tls() != null ? "https" : "http", h.get(HttpHeaderNames.HOST),
        ok ? request.uri() : null, connection.protocol(), h.get(HttpHeaderNames.USER_AGENT), status,
        ResponseFlags.toString(flags), (flags & failure) != 0, requestBodyBytes(), bytesSent,
        clusterName, upstreamHost, ctx.channel().remoteAddress(), ctx.channel().localAddress(), routeOperation), h);
  }

  private static final String[] SMALL_DECIMALS = new String[256];

  static {
    for (int i = 0; i < SMALL_DECIMALS.length; i++) {
      SMALL_DECIMALS[i] = Integer.toString(i);
    }
  }

  /**
   * {@code n} in decimal, as a header value; the usual small values (an empty body's length, a
   * service time in ms) without a new String per request.
   */
  static String decimal(long n) {
    return n >= 0 && n < SMALL_DECIMALS.length ? SMALL_DECIMALS[(int) n] : Long.toString(n);
  }

  private static String newRequestId() {
    var r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
