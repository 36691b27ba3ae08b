package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Phase specs on the load generator's command line, and the request it sends. */
class PhaseTest {
  @Test
  void parsesClosedAndOpenLoopPhases() {
    var sat = Phase.parse("sat:0:1000:5000");
    assertThat(sat.closedLoop()).isTrue();
    assertThat(sat.durationMillis()).isEqualTo(5000);
    var r = Phase.parse("r1000:1000:500:2000:300");
    assertThat(r.closedLoop()).isFalse();
    assertThat(r.rate()).isEqualTo(1000);
    assertThat(r.maxRequests()).isEqualTo(300);
    assertThat(Phase.parse(r.spec())).isEqualTo(r);
  }

  @Test
  void rejectsMalformedPhases() {
    assertThatThrownBy(() -> Phase.parse("sat:0:1000")).hasMessageContaining("NAME:RATE:WARMUP_MS:DURATION_MS");
    assertThatThrownBy(() -> Phase.parse("sat:x:1:1")).hasMessageContaining("must be numbers");
    assertThatThrownBy(() -> Phase.parse("sat:0:0:0")).hasMessageContaining("duration > 0");
  }

  @Test
  void sendsAPostWithThePayloadOrAGet() {
    var post = new String(LoadGenerator.requestBytes(new LoadOptions("127.0.0.1", 8080, "/echo", 1, 1, 1024,
        List.of(Phase.parse("s:0:0:1")))), StandardCharsets.US_ASCII);
    assertThat(post).startsWith("POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n").contains("Content-Length: 1024\r\n");
    assertThat(post.length() - post.indexOf("\r\n\r\n") - 4).isEqualTo(1024);
    var get = new String(LoadGenerator.requestBytes(new LoadOptions("h", 1, "/", 1, 1, 0, List.of(Phase.parse("s:0:0:1")))),
        StandardCharsets.US_ASCII);
    assertThat(get).startsWith("GET / HTTP/1.1\r\n").doesNotContain("Content-Length").endsWith("\r\n\r\n");
  }
}
