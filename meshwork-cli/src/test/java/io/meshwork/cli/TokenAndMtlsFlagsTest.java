package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.kubernetes.inject.ProxyEnv;
import io.meshwork.proxy.mtls.GrpcCertificateTransport;
import io.meshwork.proxy.mtls.SecretStore;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

  /**
   * A control plane in another trust domain: a proxy told that domain (flag or environment) gets its
   * certificate; one left at cluster.local is refused with the flag to set.
   */
  @Test
  void theProxyAsksForTheControlPlanesTrustDomain() throws Exception {
    var settings = new CaSettings(dir.resolve("state-td"), 0, "example.org", null, null, null, null, List.of());
    try (var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0), settings)) {
      var token = dir.resolve("vote.token");
      cp.ca().issueJoinToken("default", "vote", null, token);
      Files.writeString(dir.resolve("root.pem"), cp.ca().rootPem());
      String[] base = {"--control-plane", "127.0.0.1:1", "--workload", "vote", "--service-account", "vote",
          "--join-token-file", token.toString(), "--ca-root", dir.resolve("root.pem").toString(),
          "--ca-address", "127.0.0.1:" + cp.ca().port()};
      var flagged = InjectedProxyIdentityTest.parse(concat(base, "--trust-domain", "example.org"), Map.of());
      var fromEnv = InjectedProxyIdentityTest.parse(base,
          Map.of(ProxyEnv.TRUST_DOMAIN, "example.org"));
      for (var cmd : List.of(flagged, fromEnv)) {
        var o = cmd.identityOptions();
        assertThat(o.identity().uri()).isEqualTo("spiffe://example.org/ns/default/sa/vote");
        var secrets = new SecretStore();
        try (var agent = WorkloadAgent.start(o, secrets)) {
          assertThat(secrets.awaitFirst(Duration.ofSeconds(60)))
              .as("a certificate within 60 s (failures: %s)", agent.rotator().failures()).isTrue();
          assertThat(SpiffeId.fromCertificate(secrets.current().credentials().leaf())
              .orElseThrow().uri()).isEqualTo("spiffe://example.org/ns/default/sa/vote");
        }
      }
      var unset = InjectedProxyIdentityTest.parse(base, Map.of()).identityOptions();
      assertThat(unset.identity().trustDomain()).isEqualTo("cluster.local");
      try (var t = new GrpcCertificateTransport("127.0.0.1:" + cp.ca().port(), cp.ca().rootPem(),
          () -> readToken(token))) {
        var csr = CsrBuilder.pem(CsrBuilder.build(
            KeyAlgorithm.EC_P256.generate(), unset.identity()));
        assertThatThrownBy(() -> t.requestCertificate(csr, Duration.ofHours(1)))
            .hasMessageContaining("PERMISSION_DENIED")
            .hasMessageContaining("this CA's trust domain is example.org: start the proxy with --trust-domain example.org");
      }
    }
    var bad = InjectedProxyIdentityTest.parse(new String[] {"--control-plane", "127.0.0.1:1", "--join-token-file",
        dir.resolve("t").toString(), "--trust-domain", "Not A Domain"}, Map.of());
    assertThatThrownBy(bad::identityOptions).isInstanceOf(UserException.class)
        .hasMessageContaining("--trust-domain Not A Domain");
  }

  private static String readToken(Path p) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String[] concat(String[] a, String... b) {
    var out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
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
