package io.meshwork.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The HTTP/2 side of one load-generator connection, between Netty's {@code Http2FrameCodec} and the
 * {@link LoadGenerator.Connection} that schedules and records. When the connection writes
 * {@link #SEND}, this opens a new stream and sends the request (HEADERS, then DATA ending the
 * stream); when that stream ends it passes a {@link Result} up. One stream is in flight at a time.
 *
 * <p>An answer counts as correct when {@code :status} is 200 and, for gRPC, the response is
 * {@code application/grpc}, its body is exactly one length-prefixed message (5-byte header whose
 * length matches the bytes that follow) and the trailers carry {@code grpc-status: 0}. Received DATA
 * is acknowledged with WINDOW_UPDATE, as the frame codec leaves flow control to its user.
 */
final class H2ClientHandler extends Http2ChannelDuplexHandler {
  /** Written by the connection to send one request. */
  static final Object SEND = new Object();

  /** One finished stream: whether the answer was correct, and its {@code :status} (0 if none). */
  record Result(boolean ok, int status) {}

  private final Http2Headers headers;
  private final ByteBuf body;
  private final boolean grpc;

  private int status;
  private String contentType;
  private String grpcStatus;
  private long dataBytes;
  private final byte[] prefix = new byte[5];
  private boolean active;

  /** {@code body} (unreleasable, may be empty) is sent after the headers; the gRPC framing must already be in it. */
  H2ClientHandler(Protocol protocol, String authority, String path, ByteBuf body) {
    this.grpc = protocol == Protocol.GRPC;
    this.body = body;
    this.headers = new DefaultHttp2Headers().method(grpc || body.isReadable() ? "POST" : "GET").scheme("http").path(path)
        .authority(authority);
    headers.set("user-agent", "meshwork-bench");
    if (grpc) {
      headers.set("content-type", "application/grpc").set("te", "trailers");
    } else if (body.isReadable()) {
      headers.set("content-type", "application/octet-stream").setInt("content-length", body.readableBytes());
    }
  }

  /** The gRPC request body: one uncompressed length-prefixed message of {@code payload} bytes. */
  static byte[] grpcMessage(byte[] payload) {
    var out = new byte[payload.length + 5];
    out[0] = 0;
    out[1] = (byte) (payload.length >>> 24);
    out[2] = (byte) (payload.length >>> 16);
    out[3] = (byte) (payload.length >>> 8);
    out[4] = (byte) payload.length;
    System.arraycopy(payload, 0, out, 5, payload.length);
    return out;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg != SEND) {
      ctx.write(msg, promise);
      return;
    }
    status = 0;
    contentType = null;
    grpcStatus = null;
    dataBytes = 0;
    active = true;
    var stream = newStream();
    boolean hasBody = body.isReadable() || grpc;
    ctx.write(new DefaultHttp2HeadersFrame(headers, !hasBody).stream(stream), hasBody ? ctx.voidPromise() : promise);
    if (hasBody) {
      ctx.write(new DefaultHttp2DataFrame(body.retainedDuplicate(), true).stream(stream), promise);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      switch (msg) {
        case Http2HeadersFrame h -> {
          var s = h.headers().status();
          if (s != null) {
            int code = Integer.parseInt(s.toString());
            if (code >= 100 && code < 200) {
              return; // informational: the real head follows
            }
            status = code;
            var ct = h.headers().get("content-type");
            contentType = ct == null ? null : ct.toString();
          }
          var gs = h.headers().get("grpc-status");
          if (gs != null) {
            grpcStatus = gs.toString();
          }
          if (h.isEndStream()) {
            done(ctx);
          }
        }
        case Http2DataFrame d -> {
          var content = d.content();
          for (int i = 0; i < content.readableBytes() && dataBytes + i < 5; i++) {
            prefix[(int) dataBytes + i] = content.getByte(content.readerIndex() + i);
          }
          dataBytes += content.readableBytes();
          if (d.initialFlowControlledBytes() > 0) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(d.initialFlowControlledBytes()).stream(d.stream()));
            ctx.flush();
          }
          if (d.isEndStream()) {
            done(ctx);
          }
        }
        case Http2ResetFrame r -> {
          if (active) {
            active = false;
            ctx.fireChannelRead(new Result(false, status));
          }
        }
        case Http2GoAwayFrame g -> ctx.close();
        default -> { }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void done(ChannelHandlerContext ctx) {
    if (!active) {
      return;
    }
    active = false;
    ctx.fireChannelRead(new Result(correct(), status));
  }

  private boolean correct() {
    if (status != 200) {
      return false;
    }
    if (!grpc) {
      return true;
    }
    if (contentType == null || !contentType.startsWith("application/grpc") || !"0".equals(grpcStatus) || dataBytes < 5
        || prefix[0] != 0) {
      return false;
    }
    long length = ((prefix[1] & 0xffL) << 24) | ((prefix[2] & 0xffL) << 16) | ((prefix[3] & 0xffL) << 8) | (prefix[4] & 0xffL);
    return dataBytes == 5 + length;
  }
}
