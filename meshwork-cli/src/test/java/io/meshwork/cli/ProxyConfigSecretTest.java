package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshwork proxy-config secret PROXY}: a sidecar with a workload certificate from the
 * control plane's CA (join token, as {@code meshwork proxy --join-token-file} does) shows its
 * {@code default} chain and {@code ROOTCA} bundle, found through the admin address it reported to
 * the control plane, and its private key never appears.
 */
class ProxyConfigSecretTest {
  @TempDir Path dir;
  ControlPlane cp;
  XdsProxy proxy;
  String address;

  @BeforeEach
  void start() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0);
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    address = "127.0.0.1:" + cp.restPort();
  }

  @AfterEach
  void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    cp.close();
  }

  @Test
  void secretShowsTheWorkloadChainAndRootsButNeverTheKey() throws Exception {
    var root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    var token = dir.resolve("reviews.token");
    cp.ca().issueJoinToken("default", "reviews", null, token);
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", "reviews"), null,
        KeyAlgorithm.EC_P256);
    var node = io.meshwork.xds.client.NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews"), "127.0.0.1", Map.of())
        .withServiceAccount("reviews");
    proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, new InetSocketAddress("127.0.0.1", 0), 1, System.out, System.err, identity);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(30))).isTrue();
    var creds = proxy.agent().secrets().current().credentials();
    var serial = creds.leaf().getSerialNumber().toString(16);
    var rootSerial = creds.trustBundle().getFirst().getSerialNumber().toString(16);

    var table = CliRunner.run("proxy-config", "secret", "reviews-v1.default", "--control-plane", address);
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("RESOURCE NAME", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE");
    var lines = table.out().lines().toList();
    var leafRow = lines.stream().filter(l -> l.startsWith("default ")).findFirst().orElseThrow();
    assertThat(leafRow.split("\\s{3,}")).containsExactly("default", "Cert Chain", "ACTIVE", "true", serial,
        creds.leaf().getNotAfter().toInstant().toString(), creds.leaf().getNotBefore().toInstant().toString(),
        "spiffe://cluster.local/ns/default/sa/reviews");
    var rootRow = lines.stream().filter(l -> l.startsWith("ROOTCA ")).findFirst().orElseThrow();
    assertThat(rootRow.split("\\s{3,}")).startsWith("ROOTCA", "CA", "ACTIVE", "true", rootSerial);
    assertThat(rootRow).contains("O=cluster.local");

    var json = CliRunner.run("proxy-config", "secrets", "reviews-v1", "-o", "json", "--control-plane", address);
    assertThat(json.exitCode()).as(json.err()).isZero();
    var dump = ConfigLoader.JSON.readTree(json.out());
    assertThat(dump.path("@type").asText()).isEqualTo("type.googleapis.com/envoy.admin.v3.SecretsConfigDump");
    var active = dump.path("dynamic_active_secrets");
    assertThat(active).hasSize(2);
    var leaf = active.get(0).path("secret").path("tls_certificate");
    assertThat(leaf.path("private_key").path("inline_string").asText()).isEqualTo("[redacted]");
    var chainPem = new String(Base64.getDecoder().decode(leaf.path("certificate_chain").path("inline_bytes").asText()));
    assertThat(Pem.certificates(chainPem).getFirst()).isEqualTo(creds.leaf());
    var keyPem = Pem.encode(creds.key());
    var keyBody = keyPem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThat(json.out()).doesNotContain("PRIVATE KEY").doesNotContain(keyBody)
        .doesNotContain(Base64.getEncoder().encodeToString(keyPem.getBytes()).substring(0, 40));

    // --admin reads the proxy directly; a proxy nobody knows is one sentence.
    var adminAddress = "127.0.0.1:" + proxy.server().adminPort();
    var direct = CliRunner.run("proxy-config", "secret", "any", "--admin", adminAddress);
    assertThat(direct.exitCode()).as(direct.err()).isZero();
    assertThat(direct.out()).contains("ROOTCA", serial);
    var unknown = CliRunner.run("proxy-config", "secret", "ratings-v1", "--control-plane", address);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no connected proxy \"ratings-v1\"").doesNotContain("Exception");
  }
}
