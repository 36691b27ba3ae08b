package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork install} / {@code uninstall}: the dry run prints the checked-in manifests; user errors are one sentence. */
class InstallCommandTest {
  @TempDir Path dir;

  @Test
  void dryRunPrintsTheCheckedInManifests() throws Exception {
    var r = CliRunner.run("install", "--dry-run");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo(Files.readString(Path.of("..", "deploy", "kubernetes", "meshwork.yaml")));
  }

  @Test
  void dryRunAsJsonWithAnotherHub() {
    var r = CliRunner.run("install", "--dry-run", "-o", "json", "--hub", "registry.example/mesh", "--tag", "1.2.3");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("\"registry.example/mesh/meshwork-control:1.2.3\"").doesNotContain("ghcr.io");
    assertThat(r.out().lines().filter(l -> l.startsWith("{")).count()).isGreaterThan(20);
  }

  @Test
  void anUnknownOutputFormatIsAUsageError() {
    var r = CliRunner.run("install", "--dry-run", "-o", "xml");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--output must be yaml or json");
  }

  @Test
  void aMissingKubeconfigIsOneSentence() {
    var r = CliRunner.run("install", "--kubeconfig", dir.resolve("nope").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--kubeconfig").contains("not found").doesNotContain("Exception");
  }

  @Test
  void anUnreachableClusterIsOneSentence() throws Exception {
    var kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: none, cluster: {server: "http://127.0.0.1:1"}}]
        users: [{name: none, user: {token: none}}]
        contexts: [{name: none, context: {cluster: none, user: none}}]
        current-context: none
        """);
    var r = CliRunner.run("uninstall", "--kubeconfig", kubeconfig.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("could not be reached").contains("--kubeconfig").doesNotContain("\tat ");
  }
}
