package io.meshwork.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The echo backend's HTTP/2 side (after Netty's {@code Http2FrameCodec}), per stream: collects the
 * request, then answers 200 with the request body echoed (or the fixed payload) after the delay.
 * A gRPC request ({@code content-type: application/grpc...}) gets a gRPC answer: {@code
 * application/grpc} headers, one length-prefixed message (the request's message echoed, or the
 * fixed payload framed as one) and trailers with {@code grpc-status: 0}. Received DATA is
 * acknowledged with WINDOW_UPDATE (the frame codec leaves flow control to its user).
 */
final class H2Echo extends ChannelDuplexHandler {
  private final ByteBuf fixed;
  private final long delayMillis;
  private final Map<Integer, Request> open = new HashMap<>();

  private static final class Request {
    String path = "";
    boolean grpc;
    CompositeByteBuf body;
  }

  H2Echo(ByteBuf fixed, long delayMillis) {
    this.fixed = fixed;
    this.delayMillis = delayMillis;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      switch (msg) {
        case Http2HeadersFrame h -> {
          var r = open.computeIfAbsent(h.stream().id(), id -> new Request());
          if (h.headers().path() != null) {
            r.path = h.headers().path().toString();
          }
          var ct = h.headers().get("content-type");
          r.grpc |= ct != null && ct.toString().startsWith("application/grpc");
          if (h.isEndStream()) {
            answer(ctx, h.stream(), open.remove(h.stream().id()));
          }
        }
        case Http2DataFrame d -> {
          var r = open.computeIfAbsent(d.stream().id(), id -> new Request());
          if (r.body == null) {
            r.body = ctx.alloc().compositeBuffer();
          }
          if (d.content().isReadable()) {
            r.body.addComponent(true, d.content().retain());
          }
          if (d.initialFlowControlledBytes() > 0) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(d.initialFlowControlledBytes()).stream(d.stream()));
          }
          if (d.isEndStream()) {
            answer(ctx, d.stream(), open.remove(d.stream().id()));
          }
        }
        case Http2ResetFrame r -> {
          var req = open.remove(r.stream().id());
          if (req != null && req.body != null) {
            req.body.release();
          }
        }
        default -> { }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  private void answer(ChannelHandlerContext ctx, Http2FrameStream stream, Request r) {
    boolean ready = r.path.equals("/ready");
    ByteBuf body;
    if (ready) {
      body = Unpooled.EMPTY_BUFFER;
    } else if (fixed != null) {
      body = r.grpc ? Unpooled.wrappedBuffer(prefix(fixed.readableBytes()), fixed.retainedDuplicate()) : fixed.retainedDuplicate();
    } else {
      body = r.body != null ? r.body.retain() : Unpooled.EMPTY_BUFFER; // echo: a gRPC request's message is already framed
    }
    if (r.body != null) {
      r.body.release();
    }
    Runnable write = () -> {
      var headers = new DefaultHttp2Headers().status("200");
      headers.set("content-type", r.grpc ? "application/grpc" : "application/octet-stream");
      if (!r.grpc) {
        headers.setInt("content-length", body.readableBytes());
      }
      boolean bodyFrames = body.isReadable();
      ctx.write(new DefaultHttp2HeadersFrame(headers, !bodyFrames && !r.grpc).stream(stream));
      if (bodyFrames) {
        ctx.write(new DefaultHttp2DataFrame(body, !r.grpc).stream(stream));
      } else {
        body.release();
      }
      if (r.grpc) {
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true).stream(stream));
      }
      ctx.flush();
    };
    if (delayMillis > 0 && !ready) {
      ctx.executor().schedule(write, delayMillis, TimeUnit.MILLISECONDS);
    } else {
      write.run();
    }
  }

  private static ByteBuf prefix(int length) {
    return Unpooled.buffer(5).writeByte(0).writeInt(length);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    open.values().forEach(r -> {
      if (r.body != null) {
        r.body.release();
      }
    });
    open.clear();
  }
}
