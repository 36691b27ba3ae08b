package io.meshwork.proxy.http;

import io.meshwork.proxy.stats.Counter;
import io.meshwork.proxy.stats.Stats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.logging.LogLevel;
import java.nio.charset.StandardCharsets;

/**
 * Makes the HTTP/2 abuse mitigations of a downstream connection visible on {@code /stats}. Netty's
 * codec enforces them (at most 200 RST_STREAM per 30 s, at most 10,000 queued control frames, at most
 * 16 small CONTINUATION frames in a row, at most 2 empty DATA frames in a row, the header-list
 * limits, flow-control windows) but only answers with GOAWAY or RST_STREAM; it keeps no count.
 * This class sits where Netty lets us see every frame read and written (the codec's frame logger,
 * never logging), and classifies what the codec sends when a mitigation fires by the frame's error
 * code and the GOAWAY debug data Netty writes (the exception message). Names follow Envoy's codec
 * stats ({@code http2.*} proxy-wide, {@code http.<prefix>.downstream_rq_too_many_premature_resets}
 * per connection manager); {@code http2.inbound_continuation_frames_flood} and
 * {@code http2.flow_control_error} are Meshwork's own, in Envoy's style. docs/reliability.md lists them.
 */
final class Http2MitigationCounters extends Http2FrameLogger {
  private final String statPrefix;
  private final Counter rxReset;
  private final Counter txReset;
  private final Counter goawaySent;
  private final Counter prematureResets;
  private final Counter controlFlood;
  private final Counter emptyFramesFlood;
  private final Counter continuationFlood;
  private final Counter headerOverflow;
  private final Counter flowControl;

  Http2MitigationCounters(Stats stats, String statPrefix) {
    super(LogLevel.TRACE, Http2MitigationCounters.class);
    this.statPrefix = statPrefix;
    rxReset = stats.counter("http2.rx_reset");
    txReset = stats.counter("http2.tx_reset");
    goawaySent = stats.counter("http2.goaway_sent");
    prematureResets = stats.counter("http." + statPrefix + ".downstream_rq_too_many_premature_resets");
    controlFlood = stats.counter("http2.outbound_control_flood");
    emptyFramesFlood = stats.counter("http2.inbound_empty_frames_flood");
    continuationFlood = stats.counter("http2.inbound_continuation_frames_flood");
    headerOverflow = stats.counter("http2.header_overflow");
    flowControl = stats.counter("http2.flow_control_error");
  }

  String statPrefix() {
    return statPrefix;
  }

  /**
   * Stream-level flow-control errors (a WINDOW_UPDATE overflowing one stream's window) do not show
   * as a frame with that code: the codec hands them to the stream's child channel, which resets the
   * stream with CANCEL. This handler, between the codec and the multiplexer, counts them on the way.
   */
  io.netty.channel.ChannelHandler streamErrors() {
    return streamErrors;
  }

  private final io.netty.channel.ChannelHandler streamErrors = new StreamErrors();

  @io.netty.channel.ChannelHandler.Sharable
  private final class StreamErrors extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof io.netty.handler.codec.http2.Http2FrameStreamException e && e.error() == Http2Error.FLOW_CONTROL_ERROR) {
        flowControl.inc();
      }
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Never logs: this logger only counts (the base class would check a log level on every frame). */
  @Override
  public boolean isEnabled() {
    return false;
  }

  @Override
  public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
    if (direction == Direction.INBOUND) {
      rxReset.inc();
      return;
    }
    txReset.inc();
    if (errorCode == Http2Error.FLOW_CONTROL_ERROR.code()) {
      flowControl.inc(); // a stream's window overflowed by WINDOW_UPDATE, or DATA beyond it
    }
  }

  @Override
  public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
    if (direction != Direction.OUTBOUND) {
      return;
    }
    goawaySent.inc();
    if (errorCode == Http2Error.NO_ERROR.code()) {
      return;
    }
    var reason = debugData == null ? "" : debugData.toString(debugData.readerIndex(), debugData.readableBytes(), StandardCharsets.UTF_8);
    if (errorCode == Http2Error.FLOW_CONTROL_ERROR.code() || reason.contains("WINDOW_UPDATE with delta 0")) {
      flowControl.inc();
    } else if (reason.contains("RST frames")) {
      prematureResets.inc(); // rapid reset, CVE-2023-44487
    } else if (reason.contains("outstanding control frames")) {
      controlFlood.inc(); // PING / SETTINGS flood from a peer that does not read the answers
    } else if (reason.contains("continuations frames")) {
      continuationFlood.inc(); // CONTINUATION flood of small frames (CVE-2024-27316 family)
    } else if (reason.contains("empty data frames")) {
      emptyFramesFlood.inc();
    } else if (reason.contains("Header size exceeded")) {
      headerOverflow.inc(); // a header block (HEADERS + CONTINUATION) larger than the GOAWAY limit
    }
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
      boolean endStream) {
    countCodec431(direction, headers, endStream);
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
      short weight, boolean exclusive, int padding, boolean endStream) {
    countCodec431(direction, headers, endStream);
  }

  /**
   * The codec answers a request whose decoded header list exceeds {@code SETTINGS_MAX_HEADER_LIST_SIZE}
   * (an HPACK bomb) with a bare {@code :status 431} and END_STREAM. Responses the proxy writes itself
   * always carry more headers than {@code :status}, so a lone 431 is the codec's.
   */
  private void countCodec431(Direction direction, Http2Headers headers, boolean endStream) {
    if (direction == Direction.OUTBOUND && endStream && headers.size() == 1 && headers.status() != null
        && headers.status().toString().equals("431")) {
      headerOverflow.inc();
    }
  }
}
