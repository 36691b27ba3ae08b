package io.meshwork.proxy.telemetry;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Istio's TCP metadata exchange ({@code envoy.filters.network.metadata_exchange}), used on mTLS
 * connections whose ALPN negotiated {@value #ALPN}. Right after the handshake each side writes
 * one frame: an 8-byte header (magic {@code 0x3D230467} and the payload length, both big-endian)
 * and a serialized {@code google.protobuf.Any} packing a {@code google.protobuf.Struct} with
 * {@code x-envoy-peer-metadata} (the node metadata Struct) and {@code x-envoy-peer-metadata-id}.
 * Each side reads the peer's frame, publishes the peer's workload on the channel
 * ({@link #peerOf}), and passes every following byte through untouched. A stream that does not
 * start with the magic is passed through whole, without metadata.
 */
public final class PeerExchange extends ChannelInboundHandlerAdapter {
  /** The ALPN protocol that announces the exchange. */
  public static final String ALPN = "istio-peer-exchange";
  static final int MAGIC = 0x3D230467;
  /** Frames larger than this are not metadata: the exchange is abandoned. */
  static final int MAX_PAYLOAD = 64 * 1024;
  static final AttributeKey<WorkloadMetadata> PEER_METADATA = AttributeKey.valueOf("meshwork.peerMetadata");

  private final WorkloadMetadata local;
  private ByteBuf buffer;
  private boolean wrote;

  /** {@code local}: what this side tells the peer about itself. */
  public PeerExchange(WorkloadMetadata local) {
    this.local = local;
  }

  /** The peer's workload learnt by an exchange on {@code ch}, or null. */
  public static WorkloadMetadata peerOf(Channel ch) {
    return ch.attr(PEER_METADATA).get();
  }

  /** Encodes this side's frame. */
  public static ByteBuf encode(ByteBufAllocator alloc, WorkloadMetadata m) {
    var data = Struct.newBuilder()
        .putFields(RequestTelemetry.PEER, Value.newBuilder().setStructValue(m.toStruct()).build())
        .putFields(RequestTelemetry.PEER_ID, Value.newBuilder().setStringValue(m.id()).build()).build();
    var payload = Any.pack(data).toByteArray();
    var buf = alloc.buffer(8 + payload.length);
    buf.writeInt(MAGIC).writeInt(payload.length).writeBytes(payload);
    return buf;
  }

  /** Decodes a frame's payload; null when it is not the expected Any/Struct. */
  public static WorkloadMetadata decodePayload(byte[] payload) {
    try {
      var any = Any.parseFrom(payload);
      if (!any.is(Struct.class)) {
        return null;
      }
      var s = any.unpack(Struct.class).getFieldsMap();
      var md = s.get(RequestTelemetry.PEER);
      if (md == null || !md.hasStructValue()) {
        return null;
      }
      var id = s.get(RequestTelemetry.PEER_ID);
      return WorkloadMetadata.fromStruct(id == null ? "" : id.getStringValue(), md.getStructValue());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * A handler for a TLS pipeline (placed right after the {@code SslHandler}): once the handshake
   * completes it becomes a {@link PeerExchange} when ALPN negotiated {@value #ALPN}, and leaves
   * the pipeline otherwise.
   */
  public static io.netty.channel.ChannelHandler afterHandshake(TcpTelemetry connection) {
    return afterHandshake(connection.proxy());
  }

  /** As {@link #afterHandshake(TcpTelemetry)}, for a listener's connections. */
  public static io.netty.channel.ChannelHandler afterHandshake(ProxyTelemetry telemetry) {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent done) {
          var ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
          if (done.isSuccess() && ssl != null && ALPN.equals(ssl.applicationProtocol())) {
            ctx.pipeline().replace(this, "peer_exchange", new PeerExchange(telemetry.local()));
          } else {
            ctx.pipeline().remove(this);
          }
        }
        ctx.fireUserEventTriggered(evt);
      }
    };
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      writeOwn(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    writeOwn(ctx);
    ctx.fireChannelActive();
  }

  private void writeOwn(ChannelHandlerContext ctx) {
    if (!wrote) {
      wrote = true;
      ctx.writeAndFlush(encode(ctx.alloc(), local));
      if (!ctx.channel().config().isAutoRead()) {
        ctx.read();
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (buffer == null) {
      buffer = in;
    } else {
      buffer = ctx.alloc().compositeBuffer().addComponents(true, buffer, in);
    }
    if (buffer.readableBytes() >= 4 && buffer.getInt(buffer.readerIndex()) != MAGIC) {
      done(ctx); // not an exchange: everything is application data
      return;
    }
    if (buffer.readableBytes() < 8) {
      readMore(ctx);
      return;
    }
    int size = buffer.getInt(buffer.readerIndex() + 4);
    if (size < 0 || size > MAX_PAYLOAD) {
      done(ctx);
      return;
    }
    if (buffer.readableBytes() < 8 + size) {
      readMore(ctx);
      return;
    }
    var payload = new byte[size];
    buffer.skipBytes(8).readBytes(payload);
    var peer = decodePayload(payload);
    if (peer != null) {
      ctx.channel().attr(PEER_METADATA).set(peer);
    }
    boolean nothingLeft = !buffer.isReadable();
    done(ctx);
    if (nothingLeft) {
      readMore(ctx);
    }
  }

  private static void readMore(ChannelHandlerContext ctx) {
    if (!ctx.channel().config().isAutoRead()) {
      ctx.read();
    }
  }

  /** Leaves the pipeline, handing whatever follows the frame to the next handler. */
  private void done(ChannelHandlerContext ctx) {
    var rest = buffer;
    buffer = null;
    ctx.pipeline().remove(this);
    if (rest != null && rest.isReadable()) {
      ctx.fireChannelRead(rest);
    } else if (rest != null) {
      rest.release();
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (buffer != null) {
      buffer.release();
      buffer = null;
    }
  }
}
