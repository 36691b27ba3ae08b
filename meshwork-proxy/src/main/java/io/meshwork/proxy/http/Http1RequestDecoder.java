package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * First handler of a downstream HTTP/1.1 connection. Netty's decoder already rejects malformed
 * request lines, invalid header characters and duplicate Content-Length; this subclass also rejects
 * what Netty tolerates but a proxy must not forward, because two parsers could disagree on where the
 * message ends (request smuggling):
 * <ul>
 *   <li>obs-fold (a header line starting with space or tab): RFC 9112 §5.2 lets a proxy reject it;</li>
 *   <li>Content-Length together with Transfer-Encoding (Netty would silently drop Content-Length).</li>
 * </ul>
 * Rejected requests come out as a message with a failed {@link DecoderResult}; the downstream handler
 * answers 400 (431 for headers over the limit) and closes.
 *
 * <p>With a request-headers timeout (Envoy's {@code request_headers_timeout}), a timer starts at the
 * first byte of each request head; if the head is not complete when it fires (a slowloris client
 * trickling bytes), this handler writes 408 and closes the connection. That reply is the only thing
 * it ever writes.
 */
public final class Http1RequestDecoder extends HttpRequestDecoder {
  private final int maxHeaderBytes;
  private final int maxInitialLineBytes;
  private final long headersTimeoutNanos;
  private final Runnable onHeadersTimeout;
  private boolean atMessageStart = true;
  private boolean failed;
  private io.netty.util.concurrent.ScheduledFuture<?> headersTimer;

  public Http1RequestDecoder(int maxInitialLineBytes, int maxHeaderBytes) {
    this(maxInitialLineBytes, maxHeaderBytes, java.time.Duration.ZERO, () -> {});
  }

  /**
   * @param headersTimeout how long a request head may take from its first byte (zero: no limit)
   * @param onHeadersTimeout counts a timeout ({@code downstream_rq_header_timeout})
   */
  public Http1RequestDecoder(int maxInitialLineBytes, int maxHeaderBytes, java.time.Duration headersTimeout,
      Runnable onHeadersTimeout) {
    super(new HttpDecoderConfig()
        .setMaxInitialLineLength(maxInitialLineBytes)
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(64 * 1024)
        .setAllowDuplicateContentLengths(false)
        .setValidateHeaders(true)
        .setStrictLineParsing(true));
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxInitialLineBytes = maxInitialLineBytes;
    this.headersTimeoutNanos = headersTimeout.toNanos();
    this.onHeadersTimeout = onHeadersTimeout;
  }

  private static final byte[] TIMEOUT_REPLY = ("HTTP/1.1 408 Request Timeout\r\ncontent-length: 26\r\n"
      + "content-type: text/plain\r\nconnection: close\r\n\r\nrequest header read timeout").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Starts the head timer at the first byte of a head; a head that completes cancels it. */
  private void headStarted(ChannelHandlerContext ctx) {
    if (headersTimeoutNanos > 0 && headersTimer == null) {
      headersTimer = ctx.executor().schedule(() -> {
        headersTimer = null;
        if (failed || !ctx.channel().isActive()) {
          return;
        }
        failed = true;
        onHeadersTimeout.run();
        // Written at this handler's position, so it bypasses the response encoder: raw bytes.
        ctx.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(TIMEOUT_REPLY))
            .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }, headersTimeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  private void headDone() {
    if (headersTimer != null) {
      headersTimer.cancel(false);
      headersTimer = null;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    headDone();
    super.handlerRemoved0(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    headDone();
    super.channelInactive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    if (failed) {
      buffer.skipBytes(buffer.readableBytes());
      return;
    }
    if (atMessageStart) {
      int headEnd = endOfHead(buffer);
      if (headEnd < 0 && buffer.isReadable()) {
        headStarted(ctx);
      } else {
        headDone();
      }
      if (headEnd < 0) {
        if (buffer.readableBytes() <= maxHeaderBytes + maxInitialLineBytes) {
          // Wait for the whole head, so the obs-fold check below always sees it in one piece.
          return;
        }
        // Over the limits: let Netty produce its precise error (line too long or headers too large).
      } else if (hasObsFold(buffer, headEnd)) {
        fail(out, new IllegalArgumentException("obs-fold (header line starting with whitespace) is not allowed"));
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      var o = out.get(i);
      if (o instanceof HttpMessage m) {
        atMessageStart = false;
        if (m.decoderResult().isSuccess() && m.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
          var te = m.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
          if (!te.isEmpty() && !(te.size() == 1 && te.get(0).strip().equalsIgnoreCase("chunked"))) {
            // Only "chunked" can be de-framed and re-framed faithfully; anything else is refused (Envoy: 501/400).
            m.setDecoderResult(DecoderResult.failure(
                new IllegalArgumentException("unsupported Transfer-Encoding " + te)));
          }
        }
        if (m.decoderResult().isFailure()) {
          failed = true;
        }
      }
      if (o instanceof LastHttpContent) {
        atMessageStart = true;
      }
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new IllegalArgumentException("both Content-Length and Transfer-Encoding are present");
  }

  private void fail(List<Object> out, Exception cause) {
    failed = true;
    var bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
    bad.setDecoderResult(DecoderResult.failure(cause));
    out.add(bad);
  }

  /** Index just past the CRLFCRLF (or LFLF) ending the head, or -1 if not yet received. */
  private static int endOfHead(ByteBuf b) {
    int start = b.readerIndex();
    int end = b.writerIndex();
    // Skip leading empty lines, which RFC 9112 allows before a request line.
    while (start < end && (b.getByte(start) == '\r' || b.getByte(start) == '\n')) {
      start++;
    }
    for (int i = start; i < end; i++) {
      if (b.getByte(i) == '\n') {
        int j = i + 1;
        if (j < end && b.getByte(j) == '\r') {
          j++;
        }
        if (j < end && b.getByte(j) == '\n') {
          return j + 1;
        }
      }
    }
    return -1;
  }

  /** True if a line inside the head (after the request line) starts with SP or HTAB. */
  private static boolean hasObsFold(ByteBuf b, int headEnd) {
    for (int i = b.readerIndex(); i < headEnd - 1; i++) {
      if (b.getByte(i) == '\n') {
        byte next = b.getByte(i + 1);
        if ((next == ' ' || next == '\t') && i > b.readerIndex()) {
          return true;
        }
      }
    }
    return false;
  }
}
