package io.meshwork.bench.jmh;

import io.meshwork.proxy.http.Http1RequestDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing one keep-alive request head of 12 headers (a typical sidecar request) with the proxy's
 * hardened decoder, on one channel as a connection would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HeaderParseBenchmark {
  static final String HEAD = """
      GET /productpage/reviews/0?user=jason HTTP/1.1\r
      Host: reviews.default.svc.cluster.local:9080\r
      User-Agent: Mozilla/5.0 (X11; Linux x86_64) meshwork-bench\r
      Accept: application/json\r
      Accept-Encoding: gzip, deflate\r
      Accept-Language: en-US,en;q=0.9\r
      Connection: keep-alive\r
      Cookie: session=4f1c2e7a9b; theme=dark\r
      X-Request-Id: 8d3f3a8e-1c7b-4f5e-9f7a-2b6c1d0e9f11\r
      X-B3-TraceId: 80f198ee56343ba864fe8b2a57d3eff7\r
      X-B3-SpanId: e457b5a2e4d86bd1\r
      X-B3-Sampled: 1\r
      X-Forwarded-Proto: http\r
      \r
      """;

  ByteBuf request;
  EmbeddedChannel channel;

  @Setup
  public void setup() {
    request = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(HEAD.getBytes(StandardCharsets.US_ASCII)));
    channel = new EmbeddedChannel(new Http1RequestDecoder(4096, 60 * 1024));
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
  }

  @Benchmark
  public Object parse() {
    channel.writeInbound(request.duplicate());
    HttpRequest head = channel.readInbound();
    Object rest;
    while ((rest = channel.readInbound()) != null) {
      ReferenceCountUtil.release(rest);
    }
    return head.headers().get("host");
  }
}
