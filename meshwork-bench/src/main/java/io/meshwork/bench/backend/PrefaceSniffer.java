package io.meshwork.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Serves HTTP/1.1 and h2c (prior knowledge) on one port: reads until the first bytes either are
 * the HTTP/2 connection preface or cannot be, then installs the matching handlers and steps aside
 * (the bytes read so far go on to them).
 */
final class PrefaceSniffer extends ByteToMessageDecoder {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Consumer<ChannelPipeline> http1;
  private final Consumer<ChannelPipeline> http2;

  PrefaceSniffer(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
    this.http1 = http1;
    this.http2 = http2;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int n = Math.min(in.readableBytes(), PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
        http1.accept(ctx.pipeline());
        ctx.pipeline().remove(this);
        return;
      }
    }
    if (n == PREFACE.length) {
      http2.accept(ctx.pipeline());
      ctx.pipeline().remove(this);
    }
  }
}
