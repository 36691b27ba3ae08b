package io.meshwork.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
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
 * Encoding one response head of 10 headers (what a sidecar sends back for a typical JSON answer,
 * {@code server: istio-envoy} and {@code x-envoy-upstream-service-time} included) with the encoder the
 * proxy's HTTP/1.1 listeners use downstream ({@code HttpListenerInitializer}: {@link HttpResponseEncoder}),
 * on one channel as a keep-alive connection would, the empty last content closing each response.
 * The counterpart of {@link HeaderParseBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HeaderEncodeBenchmark {
  HttpResponse head;
  EmbeddedChannel channel;

  @Setup
  public void setup() {
    head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set("content-type", "application/json; charset=utf-8")
        .set("content-length", "1024")
        .set("date", "Thu, 26 Nov 2026 08:00:00 GMT")
        .set("server", "istio-envoy")
        .set("x-envoy-upstream-service-time", "3")
        .set("cache-control", "no-cache, no-store, must-revalidate")
        .set("vary", "Accept-Encoding")
        .set("x-content-type-options", "nosniff")
        .set("x-request-id", "8d3f3a8e-1c7b-4f5e-9f7a-2b6c1d0e9f11")
        .set("set-cookie", "session=4f1c2e7a9b; Path=/; HttpOnly");
    channel = new EmbeddedChannel(new HttpResponseEncoder());
  }

  @TearDown
  public void tearDown() {
    channel.finishAndReleaseAll();
  }

  /** Encodes the head (and the empty end of the response); returns the bytes written, so nothing is dead code. */
  @Benchmark
  public int encode() {
    channel.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
    int bytes = 0;
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      bytes += b.readableBytes();
      b.release();
    }
    return bytes;
  }

  /** The encoded head (fixture checks): what {@link #encode} writes, as text. */
  String encodedOnce() {
    channel.writeOutbound(head, LastHttpContent.EMPTY_LAST_CONTENT);
    var sb = new StringBuilder();
    ByteBuf b;
    while ((b = channel.readOutbound()) != null) {
      sb.append(b.toString(java.nio.charset.StandardCharsets.US_ASCII));
      b.release();
    }
    return sb.toString();
  }
}
