package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The command's user errors: one sentence, nothing started (the full run is in VotingDemoTest). */
class DemoCommandTest {
  @Test
  void aPortInUseIsOneSentenceNamingIt() throws Exception {
    try (var taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      var r = CliRunner.run("demo", "--control-port", String.valueOf(port), "--xds-port", "0", "--console-port", "0",
          "--ip-prefix", "127.0.98");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().strip()).startsWith("meshwork: port " + port + " on 127.0.0.1 (the control plane's REST API) is already in use")
          .endsWith("or pass --control-port").doesNotContain("\n");
    }
  }

  @Test
  void aNonLoopbackPrefixIsRefused() {
    var r = CliRunner.run("demo", "--ip-prefix", "10.0.0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--ip-prefix 10.0.0: give the first three octets of a loopback address");
  }
}
