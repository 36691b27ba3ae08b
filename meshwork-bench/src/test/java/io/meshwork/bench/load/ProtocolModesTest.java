package io.meshwork.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.bench.backend.EchoBackend;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Each protocol mode gets correct answers from the echo backend, which serves HTTP/1.1, h2c and gRPC
 * on one port: a few hundred requests closed loop and open loop, none counted as an error (for
 * gRPC, "correct" means status 200, application/grpc, one well-framed message and grpc-status 0).
 * No timing is asserted.
 */
class ProtocolModesTest {
  @ParameterizedTest(name = "{0}, backend response bytes {1}")
  @CsvSource({"http1, -1", "h2c, -1", "h2c, 64", "grpc, -1", "grpc, 64", "h2c, 0"})
  void everyRequestGetsACorrectAnswer(String protocol, int responseBytes) throws Exception {
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, responseBytes, 0)) {
      var p = Protocol.parse(protocol);
      // both phases end on a request count, with windows long enough for a loaded CI machine
      var phases = List.of(new Phase("closed", 0, 100, 20_000, 300), new Phase("open", 200, 100, 20_000, 50));
      try (var gen = new LoadGenerator(new LoadOptions("127.0.0.1", backend.port(), p.defaultPath(), 4, 1, 1024, phases, p))) {
        var results = gen.run(null);
        var closed = results.get(0);
        assertThat(closed.requests()).as("closed loop bounded at 300").isGreaterThanOrEqualTo(300);
        assertThat(closed.errors()).isZero();
        var open = results.get(1);
        assertThat(open.requests()).as("open loop at 200/s, bounded at 50").isGreaterThanOrEqualTo(50);
        assertThat(open.errors()).isZero();
      }
    }
  }

  @Test
  void aGetOverH2cHasNoBodyAndStillCounts() throws Exception {
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, 16, 0);
        var gen = new LoadGenerator(new LoadOptions("127.0.0.1", backend.port(), "/echo", 2, 1, 0,
            List.of(new Phase("closed", 0, 0, 20_000, 200)), Protocol.H2C))) {
      var r = gen.run(null).getFirst();
      assertThat(r.requests()).isGreaterThanOrEqualTo(200);
      assertThat(r.errors()).isZero();
    }
  }

  @Test
  void theGrpcBodyIsOneLengthPrefixedMessage() {
    var framed = H2ClientHandler.grpcMessage(new byte[300]);
    assertThat(framed).hasSize(305);
    assertThat(framed[0]).isZero(); // not compressed
    assertThat(((framed[3] & 0xff) << 8) | (framed[4] & 0xff)).isEqualTo(300);
    assertThat(LoadGenerator.bodyBytes(new LoadOptions("h", 1, "/m/C", 1, 1, 10, List.of(Phase.parse("s:0:0:1")), Protocol.GRPC)))
        .hasSize(15);
  }

  @Test
  void anUnknownProtocolIsAUsageErrorNamingTheChoices() {
    assertThatThrownBy(() -> Protocol.parse("h3")).hasMessage("--protocol h3: expected one of http1, h2c, grpc");
  }
}
