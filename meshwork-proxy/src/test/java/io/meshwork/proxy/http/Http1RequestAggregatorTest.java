package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The body-less short cut gives exactly what Netty's aggregator gives (method, target, version,
 * every header in order, body, trailers, decoder result) for every request shape, pipelined ones
 * included; only requests without a body skip the composite buffer.
 */
class Http1RequestAggregatorTest {
  private static List<FullHttpRequest> decode(String wire, boolean ours) {
    var ch = new EmbeddedChannel(new HttpRequestDecoder(), ours ? new Http1RequestAggregator(1 << 16) : new HttpObjectAggregator(1 << 16, true));
    ch.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    var out = new ArrayList<FullHttpRequest>();
    Object o;
    while ((o = ch.readInbound()) != null) {
      out.add((FullHttpRequest) o);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static String describe(FullHttpRequest r) {
    var s = r.method() + " " + r.uri() + " " + r.protocolVersion() + " " + r.decoderResult().isSuccess() + " "
        + r.headers().entries() + " body=" + r.content().toString(StandardCharsets.US_ASCII) + " trailers=" + r.trailingHeaders().entries();
    r.release();
    return s;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "GET /a HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\n\r\n",
      "HEAD /a?q=1 HTTP/1.0\r\nHost: x\r\n\r\n",
      "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
      "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
      "GET /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
      "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
  })
  void sameRequestsAsNettysAggregator(String wire) {
    var netty = decode(wire, false).stream().map(Http1RequestAggregatorTest::describe).toList();
    var ours = decode(wire, true).stream().map(Http1RequestAggregatorTest::describe).toList();
    assertThat(ours).isNotEmpty().isEqualTo(netty);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"})
  void aBodylessRequestHasNoCompositeBuffer(String wire) {
    var r = decode(wire, true).getFirst();
    assertThat(r.content()).isNotInstanceOf(CompositeByteBuf.class);
    assertThat(r.headers().get("content-length")).isEqualTo("0");
    r.release();
  }
}
