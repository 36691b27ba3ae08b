package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.Test;

/**
 * Hop-by-hop headers never cross the proxy (RFC 9110 7.6.1): the fixed list and every name the
 * Connection header lists; end-to-end headers stay. Guards the allocation-free fast path taken when
 * there is no Connection header.
 */
class Http1ChecksHopByHopTest {

  @Test
  void namesListedInConnectionAndTheFixedListAreRemoved() {
    var h = new DefaultHttpHeaders();
    h.add("Connection", "x-hop, Keep-Alive");
    h.add("connection", "x-other ,");
    h.add("X-Hop", "1");
    h.add("x-other", "2");
    h.add("Keep-Alive", "timeout=5");
    h.add("Proxy-Connection", "keep-alive");
    h.add("TE", "gzip");
    h.add("Trailer", "grpc-status");
    h.add("Transfer-Encoding", "chunked");
    h.add("Upgrade", "websocket");
    h.add("x-end-to-end", "kept");
    h.add("content-type", "text/plain");
    Http1Checks.removeHopByHop(h);
    assertThat(h.names()).containsExactlyInAnyOrder("x-end-to-end", "content-type");
  }

  @Test
  void withoutConnectionTheFixedListIsStillRemoved() {
    var h = new DefaultHttpHeaders();
    h.add("keep-alive", "timeout=5");
    h.add("proxy-connection", "keep-alive");
    h.add("expect", "100-continue");
    h.add("x-hop", "kept: not listed in a Connection header");
    Http1Checks.removeHopByHop(h);
    assertThat(h.names()).containsExactly("x-hop");
  }

  @Test
  void teIsKeptOnlyAsTrailers() {
    // gRPC clients send te: trailers and gRPC servers expect it; Envoy forwards that value and drops any other.
    var grpc = new DefaultHttpHeaders();
    grpc.add("te", "trailers");
    Http1Checks.removeHopByHop(grpc);
    assertThat(grpc.getAll("te")).containsExactly("trailers");

    var listed = new DefaultHttpHeaders();
    listed.add("Connection", "TE"); // HTTP/1.1 names TE in Connection too
    listed.add("TE", "gzip;q=0.5, Trailers;q=1");
    Http1Checks.removeHopByHop(listed);
    assertThat(listed.getAll("te")).containsExactly("trailers");
    assertThat(listed.contains("connection")).isFalse();

    var other = new DefaultHttpHeaders();
    other.add("TE", "gzip, deflate");
    Http1Checks.removeHopByHop(other);
    assertThat(other.contains("te")).isFalse();
  }
}
