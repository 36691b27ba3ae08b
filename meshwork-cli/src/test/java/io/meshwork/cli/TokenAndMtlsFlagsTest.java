package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork token create} against a control plane with a CA, and the proxy's mTLS flag errors. */
class TokenAndMtlsFlagsTest {
  @TempDir Path dir;

  @Test
  void tokenCreateWritesA0600TokenAndTheMeshRoot() throws Exception {
    try (var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0), CaSettings.selfSigned(dir.resolve("state"), 0))) {
      var token = dir.resolve("out/vote.token");
      var r = CliRunner.run("token", "create", "-n", "default", "--service-account", "vote", "-o", token.toString(),
          "--control-plane", "127.0.0.1:" + cp.restPort());
      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.err()).contains("spiffe://cluster.local/ns/default/sa/vote");
      assertThat(Files.readString(token)).startsWith("mwjt_");
      assertThat(Files.getPosixFilePermissions(token)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.readString(dir.resolve("out/root-cert.pem"))).isEqualTo(cp.ca().rootPem());
      // the token proves default/vote to the CA
      assertThat(cp.ca().joinTokens().verify(new io.meshwork.security.ca.CallerCredential(
          io.meshwork.security.ca.CallerCredential.JOIN_TOKEN, Files.readString(token))).uri())
          .isEqualTo("spiffe://cluster.local/ns/default/sa/vote");
    }
    try (var noCa = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0))) {
      var r = CliRunner.run("token", "create", "--service-account", "vote", "-o", dir.resolve("x.token").toString(),
          "--control-plane", "127.0.0.1:" + noCa.restPort());
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("runs without a CA");
    }
  }

  @Test
  void inboundPortsNeedAnIdentityAndANamedAppPort() {
    var r = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1", "--workload", "vote", "--app-port", "http=8080",
        "--inbound-port", "http=15006");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--inbound-port needs a workload identity").contains("--join-token-file");
    r = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1", "--workload", "vote", "--inbound-port", "web=15006",
        "--join-token-file", dir.resolve("t").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("no --app-port named web");
  }
}
