package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.function.Consumer;

/**
 * First handler of a cleartext HTTP listener with codec AUTO: reads until it can tell whether the
 * client sent the HTTP/2 connection preface ({@code PRI * HTTP/2.0...}, h2c with prior knowledge),
 * installs the matching pipeline after itself, and removes itself; the bytes it read are passed on
 * to the new handlers. It writes nothing.
 */
final class ProtocolSniffer extends ByteToMessageDecoder {
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
  private final Consumer<ChannelPipeline> http1;
  private final Consumer<ChannelPipeline> http2;

  ProtocolSniffer(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
    this.http1 = http1;
    this.http2 = http2;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
    boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
    if (prefix && n < PREFACE.readableBytes()) {
      return; // could still be the preface: wait for more bytes
    }
    var p = ctx.pipeline();
    if (prefix) {
      http2.accept(p);
    } else {
      http1.accept(p);
    }
    p.remove(this); // forwards what was read to the handlers just added
  }
}
