package io.meshwork.proxy.chains;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.chains.HttpInspection.Result;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The http_inspector's decisions, byte by byte, and that it never consumes what it looks at. */
class HttpInspectionTest {
  static Result inspect(String s) {
    var buf = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    try {
      int before = buf.readerIndex();
      var r = HttpInspection.inspect(buf);
      assertThat(buf.readerIndex()).as("peek only").isEqualTo(before);
      return r;
    } finally {
      buf.release();
    }
  }

  @Test
  void requestLinesOfHttp1AreFoundWithTheirVersion() {
    assertThat(inspect("GET / HTTP/1.1\r\n")).isEqualTo(Result.HTTP11);
    assertThat(inspect("POST /x?y=1 HTTP/1.0\r\nHost: a\r\n")).isEqualTo(Result.HTTP10);
    assertThat(inspect("M-SEARCH * HTTP/1.1\n")).isEqualTo(Result.HTTP11);
    assertThat(Result.HTTP11.applicationProtocol()).isEqualTo("http/1.1");
    assertThat(Result.HTTP10.applicationProtocol()).isEqualTo("http/1.0");
  }

  @Test
  void theH2PrefaceIsH2cOnlyWhenComplete() {
    assertThat(inspect("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).isEqualTo(Result.HTTP2);
    assertThat(inspect("PRI * HTTP/2.0\r\n")).isEqualTo(Result.NEED_MORE);
    assertThat(Result.HTTP2.applicationProtocol()).isEqualTo("h2c");
  }

  @Test
  void aPrefixThatCouldStillBeHttpAsksForMore() {
    assertThat(inspect("G")).isEqualTo(Result.NEED_MORE);
    assertThat(inspect("GET /long/path/with")).isEqualTo(Result.NEED_MORE);
    assertThat(inspect("P")).isEqualTo(Result.NEED_MORE); // PUT, POST, PATCH, PRI...
  }

  @Test
  void otherProtocolsAreNotHttpAsEarlyAsTheBytesAllow() {
    assertThat(inspect("PI")).as("Redis PING fails on its second byte").isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("*1\r\n$4\r\nPING\r\n")).isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("FOO / HTTP/1.1\r\n")).isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("get / HTTP/1.1\r\n")).as("methods are case-sensitive").isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("GET / HTTP/2.0\r\n")).isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("GET /\r\n")).as("HTTP/0.9").isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("GET  / HTTP/1.1\r\n")).isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("\u0016\u0003\u0001")).as("a TLS record").isEqualTo(Result.NOT_HTTP);
    assertThat(inspect("SSH-2.0-OpenSSH\r\n")).isEqualTo(Result.NOT_HTTP);
  }

  @Test
  void noRequestLineWithinTheInspectionLimitIsNotHttp() {
    var longTarget = "GET /" + "a".repeat(HttpInspection.MAX_INSPECT_BYTES);
    assertThat(inspect(longTarget)).isEqualTo(Result.NOT_HTTP);
    assertThat(inspect(longTarget.substring(0, HttpInspection.MAX_INSPECT_BYTES - 1))).isEqualTo(Result.NEED_MORE);
  }
}
