package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.bench.load.LoadGenerator;
import io.meshwork.bench.load.LoadOptions;
import io.meshwork.bench.load.Phase;
import io.meshwork.bench.load.Protocol;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bench compare --protocol h2c|grpc} through our proxy: the one-hop bootstrap with an HTTP/2
 * upstream (what the comparison runs for those protocols) carries every h2c request and every gRPC
 * call (message and grpc-status trailer) correctly. Counts only, no timing.
 */
class ProtocolThroughProxyTest {
  @ParameterizedTest
  @ValueSource(strings = {"h2c", "grpc"})
  void everyRequestThroughTheHopGetsACorrectAnswer(String protocol) throws Exception {
    var p = Protocol.parse(protocol);
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, -1, 0)) {
      int port = CompareRunner.freePort();
      var yaml = Bootstraps.http2Upstream(Bootstraps.http("hop1", port, CompareRunner.freePort(), "ROUND_ROBIN", List.of(backend.port())));
      assertThat(yaml).contains("http2_protocol_options");
      var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("hop1.yaml", yaml), 1);
      try (var proxy = ProxyServer.start(config, 1, new PrintStream(OutputStream.nullOutputStream()));
          var gen = new LoadGenerator(new LoadOptions("127.0.0.1", port, p.defaultPath(), 2, 1, 1024,
              List.of(new Phase("closed", 0, 100, 30_000, 200)), p))) {
        var r = gen.run(null).getFirst();
        assertThat(r.requests()).isGreaterThanOrEqualTo(200);
        assertThat(r.errors()).isZero();
      }
    }
  }
}
