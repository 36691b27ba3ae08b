package io.meshwork.proxy.mtls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.Consumer;

/**
 * PERMISSIVE: looks at the first byte of a connection. A TLS record starts with 22 (handshake);
 * HTTP and every plaintext protocol a mesh carries start with a printable character, so one byte
 * decides, as Envoy's TLS inspector does in effect. The detector installs the matching pipeline
 * after itself and removes itself; the bytes it read pass on to the new handlers.
 */
public final class TlsDetector extends ByteToMessageDecoder {
  private static final int HANDSHAKE = 22;
  private final Consumer<ChannelPipeline> tls;
  private final Consumer<ChannelPipeline> plaintext;

  public TlsDetector(Consumer<ChannelPipeline> tls, Consumer<ChannelPipeline> plaintext) {
    this.tls = tls;
    this.plaintext = plaintext;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    ctx.read();
    super.channelActive(ctx);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    var p = ctx.pipeline();
    if (in.getUnsignedByte(in.readerIndex()) == HANDSHAKE) {
      tls.accept(p);
    } else {
      plaintext.accept(p);
    }
    p.remove(this); // forwards what was read to the handlers just added
  }
}
