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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slowloris (issue 12): a client that trickles its request head one byte at a time holds a
 * connection forever unless the head has a deadline. With the HCM's {@code request_headers_timeout}
 * (1 s here) the proxy answers 408 and closes, counting {@code downstream_rq_header_timeout}; a
 * keep-alive connection that is merely idle between requests is not affected.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(30)
class SlowlorisIntegrationTest {
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
        """, cluster("backend", "ROUND_ROBIN", "a"))
        .replace("stat_prefix: ingress", "stat_prefix: ingress\n          request_headers_timeout: 1s"), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @Test
  void aHeadTrickledByteByByteIsClosedWith408AfterTheTimeout() throws Exception {
    long before = proxy.stat("http.ingress.downstream_rq_header_timeout");
    var head = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
    String answer = null;
    int sent = 0;
    long t0 = System.nanoTime();
    try (var s = new Socket("127.0.0.1", proxy.port("http"))) {
      s.setSoTimeout(50);
      var out = s.getOutputStream();
      try {
        for (; sent < head.length() - 4; sent++) { // never the final CRLFCRLF
          out.write(head.charAt(sent));
          out.flush();
          try {
            int first = s.getInputStream().read();
            if (first >= 0) {
              s.setSoTimeout(2000);
              answer = (char) first + new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } else {
              answer = "";
            }
            break;
          } catch (java.net.SocketTimeoutException stillWaiting) {
            Thread.sleep(50);
          }
        }
      } catch (IOException closed) {
        // A byte written just after the proxy's 408 and close makes the kernel answer with RST,
        // which can discard the 408 still unread in the receive buffer (a race on a loaded machine).
        answer = answer == null ? "" : answer;
      }
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.err.printf("reliability: slowloris closed after %d bytes, %d ms%s%n", sent, ms,
        "".equals(answer) ? " (reset: the 408 was lost to the write race)" : "");
    assertThat(answer).as("the proxy gave up before the head was complete").isNotNull();
    if (!answer.isEmpty()) {
      assertThat(answer).startsWith("HTTP/1.1 408").contains("connection: close");
    }
    assertThat(sent).isLessThan(head.length() - 4);
    assertThat(proxy.stat("http.ingress.downstream_rq_header_timeout") - before).isEqualTo(1);
    assertThat(a.requests()).isEmpty();
  }

  @Test
  void anIdleKeepAliveConnectionIsNotCutByTheHeadTimer() throws Exception {
    try (var c = proxy.client()) {
      assertThat(c.get("x", "/one").status()).isEqualTo(200);
      Thread.sleep(1500); // longer than the head timeout, but no head has started
      assertThat(c.get("x", "/two").status()).isEqualTo(200);
    }
  }
}
