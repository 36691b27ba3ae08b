package io.meshwork.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The head of a request whose body is streamed rather than aggregated (gRPC over HTTP/2, see
 * {@link GrpcRequestStreamer}). It is a {@code FullHttpRequest} with an empty body so that the
 * exchange's validation, filters and routing, which read the head only, work unchanged; the body
 * follows as separate {@code HttpContent} messages that the {@link DownstreamHandler} hands to the
 * exchange, which forwards each upstream as it arrives ({@link StreamedRequestBody}).
 */
final class StreamedRequest extends DefaultFullHttpRequest {
  StreamedRequest(HttpRequest head) {
    super(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER, head.headers(),
        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    setDecoderResult(head.decoderResult());
  }
}
