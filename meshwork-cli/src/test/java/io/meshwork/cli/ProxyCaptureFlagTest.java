package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.netns.ThreadCapabilities;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork proxy --capture}: its errors name the flag (the mode itself is tested in TransparentMeshNetnsTest). */
class ProxyCaptureFlagTest {
  @TempDir Path dir;

  @Test
  void captureModeMustBeRedirectOrTproxyAndExcludesLocalModeInboundPorts() {
    var r = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1", "--workload", "vote", "--capture", "NAT");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--capture NAT: the mode must be REDIRECT or TPROXY");
    r = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1", "--workload", "vote", "--app-port", "http=8080",
        "--inbound-port", "http=15080", "--join-token-file", dir.resolve("t").toString(), "--capture");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--capture cannot be combined with --inbound-port");
  }

  @Test
  void tproxyWithoutCapNetAdminIsRefusedAtStart() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "skipped: epoll unavailable");
    org.junit.jupiter.api.Assumptions.assumeTrue(ThreadCapabilities.has(ThreadCapabilities.CAP_NET_ADMIN),
        "skipped: this JVM has no CAP_NET_ADMIN to drop");
    // The CLI runs on the calling thread, which lacks the capability, as a sidecar started without it would.
    var r = ThreadCapabilities.withoutEffective(() -> CliRunner.run("proxy", "--control-plane", "127.0.0.1:1",
        "--workload", "vote", "--capture", "TPROXY"), ThreadCapabilities.CAP_NET_ADMIN, ThreadCapabilities.CAP_NET_RAW);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--capture TPROXY: TPROXY capture needs CAP_NET_ADMIN");
  }
}
