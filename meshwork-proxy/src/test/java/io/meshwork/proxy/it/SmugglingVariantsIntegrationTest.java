package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request-smuggling variants of issue 12 that {@link HostileInputIntegrationTest} does not
 * spell out: CL.TE and TE.CL with a smuggled second request in the body, obfuscated
 * Transfer-Encoding (TE.TE), conflicting or malformed Content-Length, bare CR, NUL, and broken
 * chunk framing. Each one must be refused before anything reaches the upstream, and the
 * "smuggled" request hidden in it must never be parsed as a request of its own.
 */
@ExtendWith(LeakDetectionExtension.class)
class SmugglingVariantsIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  /**
   * Everything the proxy answers on one connection until it closes it; a connection still open
   * after 3 s (the proxy is waiting for more) ends the text with {@code [still open]}.
   */
  static String exchange(String raw) throws IOException {
    try (var s = new Socket("127.0.0.1", proxy.port("http"))) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      var got = new java.io.ByteArrayOutputStream();
      var buf = new byte[4096];
      try {
        for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketTimeoutException e) {
        got.write("[still open]".getBytes(StandardCharsets.US_ASCII));
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      // CL.TE: a front end honouring Content-Length forwards the smuggled request inside the body
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
      // TE.CL: a front end honouring chunked forwards it, a back end honouring Content-Length sees it
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n27\r\n" + SMUGGLED + "\r\n0\r\n\r\n",
      // TE.TE: obfuscated Transfer-Encoding one side might ignore
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n Transfer-Encoding: x\r\n\r\n0\r\n\r\n" + SMUGGLED,
      // duplicate or malformed Content-Length
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n" + SMUGGLED,
      // bare CR and NUL inside a header value or name
      "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n" + SMUGGLED,
      "GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n" + SMUGGLED,
      "GET /a HTTP/1.1\r\nHost: x\r\nX-\u0000A: b\r\n\r\n" + SMUGGLED,
      "GET /a\u0000 HTTP/1.1\r\nHost: x\r\n\r\n" + SMUGGLED,
      // broken chunk framing after a valid head
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nabc\r\n0\r\n\r\n" + SMUGGLED,
      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n" + SMUGGLED,
  })
  void refusedAndTheSmuggledRequestIsNeverParsed(String raw) throws Exception {
    long before = a.requests().size();
    var answer = exchange(raw);
    assertThat(answer).as(raw).startsWith("HTTP/1.1 400");
    assertThat(answer.split("HTTP/1.1 ", -1)).as("exactly one response: the smuggled request was not served").hasSize(2);
    assertThat(a.requests()).as("nothing forwarded for %s", raw).hasSize((int) before);
  }

  /** Controls: the same framing written unambiguously is served, so the refusals above are not blanket ones. */
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {
      "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
      "POST /ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
  })
  void unambiguousFramingIsServed(String raw) throws Exception {
    var answer = exchange(raw);
    assertThat(answer).startsWith("HTTP/1.1 200");
    assertThat(a.requests().getLast().body()).isEqualTo("abc");
  }
}
