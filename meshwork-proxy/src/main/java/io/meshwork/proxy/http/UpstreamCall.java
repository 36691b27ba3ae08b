package io.meshwork.proxy.http;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.config.RetryPolicy;
import io.meshwork.proxy.config.RouteAction;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of one exchange: attempts, retries, timeouts. Each attempt picks a host
 * (avoiding hosts already tried), takes a pooled connection on the downstream connection's event
 * loop, sends the buffered request and waits for the response head. A retriable outcome before the
 * head is forwarded (5xx per {@code retry_on}, reset, connect failure, per-try timeout) starts the
 * next attempt after a jittered backoff; otherwise the response is streamed downstream with
 * read-after-write back-pressure. The route timeout covers everything from the first attempt to the
 * last byte. A streamed request (gRPC over HTTP/2, {@link StreamedRequestBody}) sends its head and
 * the body received so far, then each chunk as it arrives; it is retried only while its retry copy is
 * kept. All methods run on one event loop.
 */
final class UpstreamCall implements UpstreamListener {
  private static final String CONNECT_FAILURE =
      "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
  private static final String OVERFLOW =
      "upstream connect error or disconnect/reset before headers. reset reason: overflow";
  private static final String RESET =
      "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
  private static final String REMOTE_RESET =
      "upstream connect error or disconnect/reset before headers. reset reason: remote reset";
  private static final String REMOTE_REFUSED =
      "upstream connect error or disconnect/reset before headers. reset reason: remote refused stream reset";
  private static final String PROTOCOL_ERROR =
      "upstream connect error or disconnect/reset before headers. reset reason: protocol error";

  private final Exchange exchange;
  private final ClusterRuntime cluster;
  private final RouteAction.Forward action;
  private final RetryPolicy retry;
  private final FullHttpRequest request;
  private final UpstreamPool pool;
  private final EventLoop loop;
  private final ArrayList<Host> tried = new ArrayList<>(2);
  private int attemptId;
  /** The connection this attempt waits for, while it is not there yet (see UpstreamPool.abandon). */
  private io.netty.util.concurrent.Future<Channel> acquiring;
  private int retriesUsed;
  private Host inFlight;
  private Channel channel;
  private long attemptStartNanos;
  /** The downstream connection's route deadline, armed with {@link #routeTimeout} (null: no route timeout). */
  private LazyDeadline routeDeadline;
  private Runnable routeTimeout;
  private ScheduledFuture<?> perTryTimer;
  private ScheduledFuture<?> backoffTimer;
  private boolean committed;
  private boolean upstreamKeepAlive;
  private boolean finished;
  private boolean holdingRequest;
  private boolean holdingRetry;
  /** The current attempt's HTTP/2 stream was reset with REFUSED_STREAM before the response head. */
  private boolean refusedStream;
  /**
   * The current attempt's HTTP/2 stream was reset by the upstream (RST_STREAM, any code): Envoy's
   * remote reset, flagged UR; a closed connection is a connection termination, UC.
   */
  private boolean remoteReset;
  /** The current attempt's response could not be decoded (Envoy's upstream protocol error, flagged UPE). */
  private boolean protocolError;

  private final Long hash;
  /** A streamed request's body (null: {@link #request} carries the whole body). */
  private final StreamedRequestBody body;

  UpstreamCall(Exchange exchange, ClusterRuntime cluster, RouteAction.Forward action, FullHttpRequest request,
      UpstreamPool pool, Long hash) {
    this(exchange, cluster, action, request, pool, hash, null);
  }

  /** With {@code body} non-null, {@code request} is only the head: the body streams (see {@link #forwardRequestContent}). */
  UpstreamCall(Exchange exchange, ClusterRuntime cluster, RouteAction.Forward action, FullHttpRequest request,
      UpstreamPool pool, Long hash, StreamedRequestBody body) {
    this.body = body;
    this.hash = hash;
    this.exchange = exchange;
    this.cluster = cluster;
    this.action = action;
    this.retry = action.retry();
    this.request = request;
    this.pool = pool;
    this.loop = pool.loop();
  }

  void start() {
    if (!cluster.tryStartRequest()) {
      finishLocally(503, OVERFLOW, ResponseFlags.UO);
      return;
    }
    holdingRequest = true;
    if (!action.timeout().isZero()) {
      routeDeadline = exchange.routeDeadline();
      routeTimeout = this::onRouteTimeout;
      routeDeadline.arm(action.timeout().toNanos(), routeTimeout);
    }
    attempt();
  }

  private void attempt() {
    backoffTimer = null;
    if (finished) {
      return;
    }
    var host = hash == null ? cluster.choose(tried) : cluster.choose(tried, hash, true);
    if (host == null) {
      host = exchange.originalDestinationHost(cluster.name()); // capture mode: PassthroughCluster
    }
    if (host == null) {
      cluster.stats().upstreamCxNoneHealthy.inc();
      finishLocally(503, "no healthy upstream", ResponseFlags.UH);
      return;
    }
    tried.add(host);
    refusedStream = false;
    remoteReset = false;
    protocolError = false;
    cluster.stats().upstreamRqTotal.inc();
    host.requestStarted();
    inFlight = host;
    int id = ++attemptId;
    if (!retry.perTryTimeout().isZero()) {
      perTryTimer = loop.schedule(this::onPerTryTimeout, retry.perTryTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    attemptStartNanos = System.nanoTime();
    var acquire = pool.acquire(host, cluster, exchange.originalSource(host));
    acquiring = acquire;
    acquire.addListener(f -> {
      if (acquiring == f) {
        acquiring = null;
      }
      if (finished || id != attemptId) {
        if (f.isSuccess()) {
          pool.release((Channel) f.getNow(), cluster.config().idleTimeout());
        }
        return;
      }
      if (f.cause() instanceof Http1ConnectionPool.ConnectionOverflowException) {
        endAttempt(true, false);
        finishLocally(503, OVERFLOW, ResponseFlags.UO);
        return;
      }
      if (!f.isSuccess()) {
        onAttemptFailure(true, false);
        return;
      }
      send((Channel) f.getNow());
    });
  }

  private void send(Channel ch) {
    channel = ch;
    var handler = ch.pipeline().get(UpstreamHandler.class);
    if (handler == null || !ch.isActive()) {
      onAttemptFailure(false, false);
      return;
    }
    handler.listener = this;
    handler.requests++;
    if (handler.spent()) {
      cluster.stats().upstreamCxMaxRequests.inc();
    }
    if (body != null) {
      // Streamed: the head, what the client sent so far, then each chunk as it arrives (forwardRequestContent).
      ch.write(new io.netty.handler.codec.http.DefaultHttpRequest(request.protocolVersion(), request.method(),
          request.uri(), request.headers()), ch.voidPromise());
      body.replay(ch);
      ch.flush();
      ch.read();
      exchange.requestBodyProgress();
      return;
    }
    // Each attempt sends its own view of the buffered body over the same header maps: they are
    // encoded (read, never changed) on this loop during the write, so a copy per attempt
    // (FullHttpRequest.retainedDuplicate copies both maps) buys nothing. A void promise: a failed
    // write fires exceptionCaught, and UpstreamHandler closes the connection, as a listener would.
    var attemptRequest = new io.netty.handler.codec.http.DefaultFullHttpRequest(request.protocolVersion(),
        request.method(), request.uri(), request.content().retainedDuplicate(), request.headers(),
        request.trailingHeaders());
    ch.writeAndFlush(attemptRequest, ch.voidPromise());
    ch.read();
  }

  @Override
  public void onUpstreamMessage(HttpObject msg) {
    if (finished) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg.decoderResult().isFailure()) {
      // Not HTTP (Netty's decoder hands over a placeholder, status 999): never forward it. Like a
      // reset, the attempt fails (retriable by retry_on reset) and the connection is closed.
      ReferenceCountUtil.release(msg);
      protocolError = true;
      cluster.stats().upstreamCxProtocolError.inc();
      if (!committed) {
        onAttemptFailure(false, false);
      } else if (channel != null) {
        channel.close(); // mid-body: onUpstreamClosed aborts the response, flagged UPE
      }
      return;
    }
    if (msg instanceof io.netty.handler.codec.http.FullHttpResponse full) {
      // HTTP/2 upstreams deliver a body-less response as one object: split it into head + last content.
      var head = new io.netty.handler.codec.http.DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers());
      var last = new io.netty.handler.codec.http.DefaultLastHttpContent(full.content(), full.trailingHeaders());
      onUpstreamMessage(head);
      onUpstreamMessage(last);
      return;
    }
    if (msg instanceof HttpResponse r) {
      if (r.status().code() / 100 == 1 && !(r.status().code() == 101 && exchange.isUpgrade())) {
        ReferenceCountUtil.release(msg);
        channel.read(); // 100 Continue and friends: the final response follows
        return;
      }
      if (!committed && onResponseHead(r)) {
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof HttpContent c) {
      onContent(c);
    }
  }

  /** Returns true if the response was discarded for a retry. */
  private boolean onResponseHead(HttpResponse r) {
    cancel(perTryTimer);
    int code = r.status().code();
    cluster.reportOutcome(inFlight, code);
    if (code == 101 && exchange.isUpgrade()) {
      var ch = channel;
      var host = inFlight;
      cancelRouteTimeout();
      markFinished();
      host.requestDone(false);
      inFlight = null;
      channel = null;
      detach(ch);
      exchange.switchToTunnel(r, ch, host.hostPort(), (System.nanoTime() - attemptStartNanos) / 1_000_000);
      return true;
    }
    if ((retry.retriesStatus(code) || retry.retriesGrpcStatus(r.headers().get("grpc-status"))) && replayable()) {
      if (retriesUsed < retry.numRetries()) {
        if (takeRetrySlot()) {
          cluster.stats().status(code);
          endAttempt(true, true);
          scheduleRetry();
          return true;
        }
      } else if (retry.numRetries() > 0) {
        exchange.flags |= ResponseFlags.URX;
        cluster.stats().upstreamRqRetryLimitExceeded.inc();
      }
    }
    committed = true;
    upstreamKeepAlive = HttpUtil.isKeepAlive(r);
    cluster.stats().status(code);
    if (retriesUsed > 0) {
      cluster.stats().upstreamRqRetrySuccess.inc();
    }
    exchange.writeHead(r, inFlight.hostPort(), (System.nanoTime() - attemptStartNanos) / 1_000_000);
    if (!(r instanceof HttpContent)) {
      channel.read();
    }
    return false;
  }

  private void onContent(HttpContent c) {
    if (!committed) {
      c.release();
      return;
    }
    boolean last = c instanceof LastHttpContent;
    var ch = channel;
    var write = exchange.writeContent(c);
    if (last) {
      markFinished();
      cancelRouteTimeout();
      inFlight.requestDone(false);
      inFlight = null;
      channel = null;
      detach(ch);
      if (upstreamKeepAlive && (body == null || body.ended())) {
        pool.release(ch, cluster.config().idleTimeout());
      } else {
        ch.close();
      }
      exchange.complete();
    } else {
      write.addListener(w -> {
        if (w.isSuccess() && !finished && channel == ch) {
          ch.read();
        }
      });
    }
  }

  @Override
  public void onUpstreamReset(long errorCode) {
    remoteReset = true;
    if (!committed && errorCode == io.netty.handler.codec.http2.Http2Error.REFUSED_STREAM.code()) {
      refusedStream = true;
    }
  }

  @Override
  public void onUpstreamClosed() {
    if (finished) {
      return;
    }
    channel = null;
    if (!committed) {
      onAttemptFailure(false, false);
      return;
    }
    if (!remoteReset) {
      cluster.stats().upstreamCxDestroyRemote.inc(); // the connection closed, not just the stream
    }
    markFinished();
    cancelRouteTimeout();
    inFlight.requestDone(true);
    inFlight = null;
    exchange.abortResponse(remoteReset ? ResponseFlags.UR : protocolError ? ResponseFlags.UPE : ResponseFlags.UC);
  }

  private void onAttemptFailure(boolean connectFailure, boolean perTryTimeout) {
    if (inFlight != null) {
      cluster.reportOutcome(inFlight, 503);
    }
    endAttempt(true, true);
    boolean retriable = replayable() && retry.retriesFailure(connectFailure, perTryTimeout, refusedStream && !perTryTimeout);
    if (retriable && retriesUsed < retry.numRetries() && takeRetrySlot()) {
      scheduleRetry();
      return;
    }
    int flag = perTryTimeout ? ResponseFlags.UT : connectFailure ? ResponseFlags.UF
        : remoteReset ? ResponseFlags.UR : protocolError ? ResponseFlags.UPE : ResponseFlags.UC;
    if (retriable && retry.numRetries() > 0 && retriesUsed >= retry.numRetries()) {
      flag |= ResponseFlags.URX;
      cluster.stats().upstreamRqRetryLimitExceeded.inc();
    }
    if (perTryTimeout) {
      finishLocally(504, "upstream request timeout", flag);
    } else {
      finishLocally(503, connectFailure ? CONNECT_FAILURE : protocolError ? PROTOCOL_ERROR : !remoteReset ? RESET
          : refusedStream ? REMOTE_REFUSED : REMOTE_RESET, flag);
    }
  }

  /**
   * Whether another attempt could send the whole request: always for an aggregated body; for a
   * streamed one while its retry copy is kept (Envoy's buffer limit: past it, the attempt's outcome stands).
   */
  private boolean replayable() {
    return body == null || body.replayable();
  }

  /** A streamed request's attempt is connected and sent everything so far: new chunks go straight to it. */
  boolean forwarding() {
    return !finished && channel != null;
  }

  /**
   * A chunk of a streamed request's body (not taken over): written to the current attempt, if one is
   * connected (otherwise the body keeps it for the next attempt). When the upstream stream cannot take
   * more (flow control), the exchange stops reading the client until this write is done.
   */
  void forwardRequestContent(HttpContent content) {
    var ch = channel;
    if (finished || ch == null) {
      return;
    }
    var write = ch.writeAndFlush(content.replace(content.content().retainedDuplicate()));
    write.addListener(io.netty.channel.ChannelFutureListener.CLOSE_ON_FAILURE);
    if (!ch.isWritable() && !write.isDone()) {
      exchange.pauseReading(Exchange.UPSTREAM_BUSY);
      write.addListener(w -> exchange.resumeReading(Exchange.UPSTREAM_BUSY));
    }
  }

  /** One retry slot per call under the cluster's {@code max_retries}, held until the call ends. */
  private boolean takeRetrySlot() {
    if (holdingRetry) {
      return true;
    }
    holdingRetry = cluster.tryStartRetry();
    return holdingRetry;
  }

  /** Marks the call finished and gives back its circuit-breaker slots (exactly once). */
  private void markFinished() {
    finished = true;
    if (holdingRequest) {
      holdingRequest = false;
      cluster.requestFinished();
    }
    if (holdingRetry) {
      holdingRetry = false;
      cluster.retryFinished();
    }
  }

  private void scheduleRetry() {
    retriesUsed++;
    cluster.stats().upstreamRqRetry.inc();
    long delay = retry.backoffMillis(retriesUsed, ThreadLocalRandom.current());
    backoffTimer = loop.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
  }

  private void onPerTryTimeout() {
    perTryTimer = null;
    if (finished || committed) {
      return;
    }
    cluster.stats().upstreamRqPerTryTimeout.inc();
    onAttemptFailure(false, true);
  }

  private void onRouteTimeout() {
    if (finished) {
      return;
    }
    cluster.stats().upstreamRqTimeout.inc();
    endAttempt(true, true);
    cancel(backoffTimer);
    markFinished();
    if (committed) {
      exchange.abortResponse(ResponseFlags.UT);
    } else {
      exchange.flags |= ResponseFlags.UT;
      exchange.localReply(504, "upstream request timeout", 0);
    }
  }

  /** The downstream went away: stop everything and close the upstream connection (it is mid-request). */
  void cancel() {
    if (finished) {
      return;
    }
    markFinished();
    cluster.stats().upstreamRqCancelled.inc();
    endAttempt(true, true);
    cancelRouteTimeout();
    cancel(backoffTimer);
  }

  private void finishLocally(int code, String body, int flag) {
    markFinished();
    cancelRouteTimeout();
    cancel(backoffTimer);
    exchange.localReply(code, body, flag);
  }

  /** Ends the current attempt: host accounting, timers, and the connection (closed, never pooled, if mid-exchange). */
  private void endAttempt(boolean error, boolean closeConnection) {
    cancel(perTryTimer);
    perTryTimer = null;
    attemptId++;
    var waiting = acquiring;
    if (waiting != null) {
      acquiring = null;
      pool.abandon(waiting); // a request pending for a connection (max_connections) stops waiting
    }
    if (inFlight != null) {
      inFlight.requestDone(error);
      inFlight = null;
    }
    var ch = channel;
    channel = null;
    if (ch != null) {
      detach(ch);
      if (closeConnection) {
        ch.close();
      }
    }
  }

  private static void detach(Channel ch) {
    var h = ch.pipeline().get(UpstreamHandler.class);
    if (h != null) {
      h.listener = null;
    }
  }

  private void cancelRouteTimeout() {
    if (routeDeadline != null) {
      routeDeadline.disarm(routeTimeout);
    }
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
