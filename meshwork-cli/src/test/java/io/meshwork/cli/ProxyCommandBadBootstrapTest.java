package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshwork proxy --bootstrap BAD.yaml}: an invalid bootstrap stops the process before anything
 * listens, with a non-zero exit code and a message naming the file and the field path.
 */
class ProxyCommandBadBootstrapTest {
  private static final String CLUSTER = """
      node: {id: p, cluster: test}
      admin:
        address: {socket_address: {address: 127.0.0.1, port_value: 0}}
      static_resources:
        clusters:
        - name: backend
          connect_timeout: 1s
          lb_policy: %s
          load_assignment:
            cluster_name: backend
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]
      """;

  @Test
  void anUnknownFieldIsRejectedWithItsPath(@TempDir Path dir) throws Exception {
    var file = dir.resolve("bad.yaml");
    Files.writeString(file, CLUSTER.formatted("ROUND_ROBIN").replace("connect_timeout:", "conect_timeout:"));
    var r = CliRunner.run("proxy", "--bootstrap", file.toString(), "--concurrency", "1");
    assertThat(r.exitCode()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("static_resources.clusters[0].conect_timeout").contains("unknown field")
        .contains("connect_timeout");
  }

  @Test
  void aWrongValueIsRejectedWithItsPath(@TempDir Path dir) throws Exception {
    var file = dir.resolve("bad.yaml");
    Files.writeString(file, CLUSTER.formatted("FASTEST"));
    var r = CliRunner.run("proxy", "--bootstrap", file.toString(), "--concurrency", "1");
    assertThat(r.exitCode()).as(r.err()).isNotZero();
    assertThat(r.err()).contains("static_resources.clusters[0].lb_policy").contains("FASTEST");
  }

  @Test
  void aValidButUnsupportedSettingIsRejectedWithItsPath(@TempDir Path dir) throws Exception {
    var file = dir.resolve("unsupported.yaml");
    Files.writeString(file, CLUSTER.formatted("CLUSTER_PROVIDED"));
    var r = CliRunner.run("proxy", "--bootstrap", file.toString(), "--concurrency", "1");
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains(file.toString()).contains("lb_policy").contains("not supported");
  }
}
