package io.meshwork.bench.load;

import io.meshwork.proxy.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Drives HTTP/1.1 keep-alive, h2c or gRPC (unary over h2c) load over N connections, one request in
 * flight per connection (no pipelining, one stream at a time), on Netty event loops. Each phase opens fresh connections, runs a warm-up and a
 * measured window, stops issuing, waits for in-flight requests and merges the per-connection
 * histograms. {@code @begin NAME} and {@code @end NAME} are printed to the event stream when each
 * measured window starts and ends, so an orchestrator can read CPU counters of other processes at
 * exactly those moments.
 */
public final class LoadGenerator implements AutoCloseable {
  private final LoadOptions options;
  private final Transport transport = Transport.detect();
  private final EventLoopGroup group;
  private final ByteBuf request;
  /** The buffer under {@link #request} (which cannot be released): released by {@link #close}. */
  private final ByteBuf requestStorage;
  private final java.util.Map<String, Histogram> correctedNanos = new java.util.concurrent.ConcurrentHashMap<>();
  /** Alternating variants (null: one request for all); {@link #onRequest} is the "on" variant's bytes. */
  private final Alternation alternation;
  private final ByteBuf onRequest;
  private final ByteBuf onStorage;
  private final java.util.Map<String, List<Histogram>> windowNanos = new java.util.concurrent.ConcurrentHashMap<>();

  public LoadGenerator(LoadOptions options) {
    this(options, null);
  }

  /**
   * A generator whose open-loop phases alternate two variants of the request by time window (see
   * {@link Alternation}; HTTP/1.1 only) and record each whole window's latencies apart ({@link #windowNanos}).
   */
  public LoadGenerator(LoadOptions options, Alternation alternation) {
    if (alternation != null && options.protocol().http2()) {
      throw new IllegalArgumentException("alternating request variants are supported over HTTP/1.1 only");
    }
    this.options = options;
    this.alternation = alternation;
    this.group = transport.newGroup(options.threads());
    // HTTP/1.1: the whole request, written as is; HTTP/2: the body only (the headers are frames, see H2ClientHandler)
    this.requestStorage = Unpooled.directBuffer().writeBytes(options.protocol().http2() ? bodyBytes(options)
        : alternation == null ? requestBytes(options) : requestBytes(options, alternation.header() + ": " + alternation.offValue()));
    this.request = Unpooled.unreleasableBuffer(requestStorage);
    this.onStorage = alternation == null ? null
        : Unpooled.directBuffer().writeBytes(requestBytes(options, alternation.header() + ": " + alternation.onValue()));
    this.onRequest = onStorage == null ? null : Unpooled.unreleasableBuffer(onStorage);
  }

  /** The HTTP/2 request body: the payload, as one length-prefixed message for gRPC. */
  static byte[] bodyBytes(LoadOptions o) {
    var payload = new byte[o.payloadBytes()];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) ('a' + (i % 26));
    }
    return o.protocol() == Protocol.GRPC ? H2ClientHandler.grpcMessage(payload) : payload;
  }

  public String transport() {
    return transport.name().toLowerCase();
  }

  static byte[] requestBytes(LoadOptions o) {
    return requestBytes(o, null);
  }

  /** The HTTP/1.1 request, with one more header line ({@code "name: value"}) when {@code extraHeader} is not null. */
  static byte[] requestBytes(LoadOptions o, String extraHeader) {
    var head = new StringBuilder();
    head.append(o.payloadBytes() > 0 ? "POST " : "GET ").append(o.path()).append(" HTTP/1.1\r\nHost: ").append(o.host())
        .append(':').append(o.port()).append("\r\nUser-Agent: meshwork-bench\r\n");
    if (extraHeader != null) {
      head.append(extraHeader).append("\r\n");
    }
    if (o.payloadBytes() > 0) {
      head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(o.payloadBytes()).append("\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + o.payloadBytes()];
    System.arraycopy(h, 0, all, 0, h.length);
    for (int i = h.length; i < all.length; i++) {
      all[i] = (byte) ('a' + (i % 26));
    }
    return all;
  }

  /**
   * The corrected latency histogram (nanoseconds) of the phase named {@code phase} in the last
   * {@link #run}, for pooling several runs' latencies into one distribution; null if it did not run.
   */
  public Histogram correctedNanos(String phase) {
    return correctedNanos.get(phase);
  }

  /**
   * The corrected latencies of each whole window of the phase named {@code phase} in the last {@link #run}
   * of an alternating generator (window {@code w} is "on" when {@link Alternation#isOn} says so); null otherwise.
   */
  public List<Histogram> windowNanos(String phase) {
    return windowNanos.get(phase);
  }

  /** Runs every phase in order; events go to {@code events} (may be null). */
  public List<PhaseResult> run(PrintStream events) throws InterruptedException {
    var results = new ArrayList<PhaseResult>();
    for (var phase : options.phases()) {
      results.add(runPhase(phase, events));
    }
    return results;
  }

  private PhaseResult runPhase(Phase phase, PrintStream events) throws InterruptedException {
    int n = options.connections();
    var conns = new ArrayList<Connection>(n);
    var bootstrap = new Bootstrap().group(group).channel(transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    var connects = new ArrayList<io.netty.channel.ChannelFuture>();
    for (int c = 0; c < n; c++) {
      var conn = new Connection(c, options.protocol().http2() ? null : request, onRequest, alternation);
      conns.add(conn);
      connects.add(bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          if (options.protocol().http2()) {
            // prior knowledge (h2c): the codec sends the preface and SETTINGS as soon as the connection is up
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new H2ClientHandler(options.protocol(), options.host() + ":" + options.port(), options.path(), request));
          }
          ch.pipeline().addLast(conn);
        }
      }).connect(options.host(), options.port()));
    }
    // Connections are set up before the phase's clock starts: connecting is not what is measured.
    for (var f : connects) {
      f.awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    long windowStart = start + TimeUnit.MILLISECONDS.toNanos(phase.warmupMillis());
    long windowEnd = windowStart + TimeUnit.MILLISECONDS.toNanos(phase.durationMillis());
    var run = new PhaseRun(phase, phase.closedLoop() ? null : new Schedule(start, phase.rate(), n), n, windowStart, windowEnd);
    for (int c = 0; c < n; c++) {
      var conn = conns.get(c);
      var f = connects.get(c);
      if (f.isSuccess()) {
        f.channel().eventLoop().execute(() -> conn.begin(run));
      } else {
        conn.connectFailed(run);
      }
    }
    sleepUntil(windowStart);
    if (events != null) {
      events.println("@begin " + phase.name());
      events.flush();
    }
    while (System.nanoTime() < windowEnd && !run.stopped) {
      sleepUntil(Math.min(windowEnd, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10)));
    }
    long actualEnd = run.stopped ? Math.min(run.stoppedAt, windowEnd) : windowEnd;
    run.stop(actualEnd);
    if (events != null) {
      events.println("@end " + phase.name());
      events.flush();
    }
    boolean drained = run.idle.await(10, TimeUnit.SECONDS);
    var recorders = new ArrayList<ConnectionRecorder>();
    for (var conn : conns) {
      Channel ch = conn.channel;
      if (ch != null) {
        ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
      if (!drained) {
        conn.abandonInFlight();
      }
      recorders.add(conn.recorder);
    }
    long windowNanos = actualEnd - windowStart;
    long intended = run.schedule == null ? 0 : run.schedule.intendedBetween(windowStart, actualEnd);
    var pooled = new Histogram(ConnectionRecorder.HIGHEST_NANOS, 3);
    recorders.forEach(r -> pooled.add(r.corrected));
    correctedNanos.put(phase.name(), pooled);
    if (alternation != null && !phase.closedLoop()) {
      this.windowNanos.put(phase.name(), ConnectionRecorder.mergeWindows(recorders, alternation.windows(phase.durationMillis())));
    }
    return ConnectionRecorder.merge(phase, recorders, windowNanos, intended);
  }

  private static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    if (group.isTerminated() && onStorage != null && onStorage.refCnt() > 0) {
      onStorage.release();
    }
    if (group.isTerminated() && requestStorage.refCnt() > 0) {
      // only once no event loop can still be writing it; a soak makes one generator per window,
      // and Netty's leak detector reported this buffer
      requestStorage.release();
    }
  }

  /** Shared state of one phase: the window, the request bound, and the count of connections still busy. */
  static final class PhaseRun {
    final Phase phase;
    final Schedule schedule;
    final long windowStart;
    final long windowEnd;
    final AtomicLong recorded = new AtomicLong();
    final CountDownLatch idle;
    volatile boolean stopped;
    volatile long stoppedAt = Long.MAX_VALUE;

    PhaseRun(Phase phase, Schedule schedule, int connections, long windowStart, long windowEnd) {
      this.phase = phase;
      this.schedule = schedule;
      this.windowStart = windowStart;
      this.windowEnd = windowEnd;
      this.idle = new CountDownLatch(connections);
    }

    void stop(long at) {
      if (!stopped) {
        stoppedAt = at;
        stopped = true;
      }
    }
  }

  /**
   * One keep-alive connection: sends a request, parses the response head and skips the body by
   * Content-Length (or chunked framing), records, and schedules the next request. Over HTTP/2 the
   * request is {@link H2ClientHandler#SEND} and the answer an {@link H2ClientHandler.Result}, both
   * handled by the {@link H2ClientHandler} in front of this; the scheduling is the same.
   */
  static final class Connection extends ByteToMessageDecoder {
    ConnectionRecorder recorder;
    private PhaseRun run;
    private final int index;
    private final ByteBuf request;
    private final ByteBuf onRequest;
    private final Alternation alternation;
    volatile Channel channel;
    private long k;
    private long intended;
    private long sent;
    private boolean inFlight;
    private boolean finished;
    // response parsing
    private int status;
    private long bodyLeft = -1;
    private boolean chunked;
    private boolean closeAfter;

    private ChannelHandlerContext ctx;

    Connection(int index, ByteBuf request, ByteBuf onRequest, Alternation alternation) {
      this.index = index;
      this.request = request;
      this.onRequest = onRequest;
      this.alternation = alternation;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
      this.channel = ctx.channel();
    }

    /** Starts the phase on this connection (on its event loop). */
    void begin(PhaseRun phaseRun) {
      this.run = phaseRun;
      this.recorder = new ConnectionRecorder(run.windowStart, run.windowEnd, run.schedule == null ? null : alternation);
      if (!channel.isActive()) {
        recorder.errors++;
        finish();
        return;
      }
      next(ctx);
    }

    void connectFailed(PhaseRun phaseRun) {
      this.run = phaseRun;
      this.recorder = new ConnectionRecorder(run.windowStart, run.windowEnd);
      recorder.errors++;
      finish();
    }

    void abandonInFlight() {
      if (inFlight) {
        recorder.failed(intended);
      }
    }

    private void finish() {
      if (!finished) {
        finished = true;
        run.idle.countDown();
      }
    }

    private void next(ChannelHandlerContext ctx) {
      long now = System.nanoTime();
      if (run.schedule != null && (run.stopped || now >= run.windowEnd)) {
        finishOpenLoop(now);
        return;
      }
      if (run.stopped || now >= run.windowEnd) {
        finish();
        return;
      }
      if (run.schedule == null) {
        send(ctx, now);
        return;
      }
      long t = run.schedule.intendedNanos(index, k);
      if (t >= run.windowEnd) {
        finish();
        return;
      }
      if (now >= run.windowEnd || run.stopped) {
        finishOpenLoop(now);
        return;
      }
      long delay = run.schedule.sendAt(index, k, now) - now;
      if (delay > 0) {
        ctx.executor().schedule(() -> {
          if (run.stopped) {
            finishOpenLoop(System.nanoTime());
          } else {
            send(ctx, t);
          }
        }, delay, TimeUnit.NANOSECONDS);
      } else {
        send(ctx, t);
      }
    }

    /** Open loop, window over: requests meant to start before it closed but never sent are recorded as unsent. */
    private void finishOpenLoop(long now) {
      long end = Math.min(run.windowEnd, run.stoppedAt);
      for (long i = k; ; i++) {
        long t = run.schedule.intendedNanos(index, i);
        if (t >= end) {
          break;
        }
        recorder.unsent(t, Math.min(now, run.windowEnd));
      }
      finish();
    }

    private void send(ChannelHandlerContext ctx, long intendedNanos) {
      intended = intendedNanos;
      sent = System.nanoTime();
      inFlight = true;
      recorder.sent(intended);
      var bytes = request == null ? null
          : alternation != null && run.schedule != null && alternation.isOn(alternation.window(intendedNanos - run.windowStart)) ? onRequest
          : request;
      ctx.writeAndFlush(bytes != null ? bytes.retainedDuplicate() : H2ClientHandler.SEND, ctx.voidPromise());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      while (in.isReadable()) {
        if (bodyLeft < 0) {
          int end = indexOfHeadEnd(in);
          if (end < 0) {
            return;
          }
          parseHead(in, end);
          in.readerIndex(end + 4);
          if (chunked) {
            bodyLeft = 0;
          }
        }
        if (chunked) {
          int r = skipChunked(in);
          if (r < 0) {
            return;
          }
        } else {
          int n = (int) Math.min(bodyLeft, in.readableBytes());
          in.skipBytes(n);
          bodyLeft -= n;
          if (bodyLeft > 0) {
            return;
          }
        }
        bodyLeft = -1;
        completed(ctx);
      }
    }

    private int chunkState; // 0 = size line, 1 = data, 2 = CRLF after data, 3 = trailers

    /** Returns 0 when the chunked body is complete, -1 when more bytes are needed. */
    private int skipChunked(ByteBuf in) {
      while (true) {
        switch (chunkState) {
          case 0 -> {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
              return -1;
            }
            var line = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.US_ASCII).strip();
            int semi = line.indexOf(';');
            long size = Long.parseLong(semi >= 0 ? line.substring(0, semi) : line, 16);
            in.readerIndex(eol + 1);
            if (size == 0) {
              chunkState = 3;
            } else {
              bodyLeft = size;
              chunkState = 1;
            }
          }
          case 1 -> {
            int n = (int) Math.min(bodyLeft, in.readableBytes());
            in.skipBytes(n);
            bodyLeft -= n;
            if (bodyLeft > 0) {
              return -1;
            }
            chunkState = 2;
          }
          case 2 -> {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
              return -1;
            }
            in.readerIndex(eol + 1);
            chunkState = 0;
          }
          default -> {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
              return -1;
            }
            boolean empty = eol - in.readerIndex() <= 1;
            in.readerIndex(eol + 1);
            if (empty) {
              chunkState = 0;
              chunked = false;
              bodyLeft = 0;
              return 0;
            }
          }
        }
      }
    }

    private static int indexOfHeadEnd(ByteBuf in) {
      int from = in.readerIndex();
      int to = in.writerIndex();
      for (int i = from; i + 3 < to; i++) {
        if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
          return i;
        }
      }
      return -1;
    }

    private void parseHead(ByteBuf in, int end) {
      var head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.US_ASCII);
      int sp = head.indexOf(' ');
      status = sp > 0 && head.length() >= sp + 4 ? Integer.parseInt(head.substring(sp + 1, sp + 4)) : 0;
      bodyLeft = 0;
      chunked = false;
      closeAfter = false;
      int pos = head.indexOf("\r\n");
      while (pos >= 0 && pos + 2 < head.length()) {
        int eol = head.indexOf("\r\n", pos + 2);
        var line = head.substring(pos + 2, eol < 0 ? head.length() : eol);
        int colon = line.indexOf(':');
        if (colon > 0) {
          var name = line.substring(0, colon).strip();
          var value = line.substring(colon + 1).strip();
          if (name.equalsIgnoreCase("content-length")) {
            bodyLeft = Long.parseLong(value);
          } else if (name.equalsIgnoreCase("transfer-encoding") && value.equalsIgnoreCase("chunked")) {
            chunked = true;
          } else if (name.equalsIgnoreCase("connection") && value.equalsIgnoreCase("close")) {
            closeAfter = true;
          }
        }
        pos = eol;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof H2ClientHandler.Result r) {
        if (inFlight) {
          status = r.status();
          closeAfter = false;
          completed(ctx, r.ok());
        }
        return;
      }
      super.channelRead(ctx, msg);
    }

    private void completed(ChannelHandlerContext ctx) {
      completed(ctx, status >= 200 && status < 400);
    }

    private void completed(ChannelHandlerContext ctx, boolean ok) {
      long done = System.nanoTime();
      inFlight = false;
      if (recorder.completed(intended, sent, done, ok)) {
        long max = run.phase.maxRequests();
        if (max > 0 && run.recorded.incrementAndGet() >= max) {
          run.stop(done);
        }
      }
      if (closeAfter) {
        ctx.close();
        return;
      }
      k++;
      next(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (inFlight) {
        inFlight = false;
        recorder.failed(intended);
      }
      if (run != null) {
        finish();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
