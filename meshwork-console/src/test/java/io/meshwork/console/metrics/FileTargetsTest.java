package io.meshwork.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTargetsTest {
  @Test
  void readsFileSdJsonAndPlainLinesAgainEveryRound(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("targets");
    var source = new FileTargets(f);
    assertThat(source.targets()).isEmpty();
    assertThat(source.lastError()).contains("targets");
    Files.writeString(f, "[{\"targets\": [\"10.0.0.5:15090\", \"10.0.0.6:15090\"], \"labels\": {\"job\": \"mesh\"}}]");
    assertThat(source.targets()).containsExactly(URI.create("http://10.0.0.5:15090/stats/prometheus"), URI.create("http://10.0.0.6:15090/stats/prometheus"));
    Files.writeString(f, "# proxies\n127.0.0.1:15090\nhttp://127.0.0.1:9901/stats/prometheus  # admin\n");
    assertThat(source.targets()).containsExactly(URI.create("http://127.0.0.1:15090/stats/prometheus"), URI.create("http://127.0.0.1:9901/stats/prometheus"));
    assertThat(source.lastError()).isNull();
    Files.writeString(f, "no-port-here\n");
    assertThat(source.targets()).isEmpty();
    assertThat(source.lastError()).contains("no-port-here is not host:port");
  }

  @Test
  void fileUrisAmongStaticTargetsAreExpandedEachRound(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("targets.txt");
    Files.writeString(f, "10.0.0.7:15090\n");
    var source = TargetSource.of(java.util.List.of(URI.create("http://10.0.0.1:15090/stats/prometheus"), f.toUri()));
    assertThat(source.targets()).containsExactly(URI.create("http://10.0.0.1:15090/stats/prometheus"), URI.create("http://10.0.0.7:15090/stats/prometheus"));
    Files.writeString(f, "");
    assertThat(source.targets()).containsExactly(URI.create("http://10.0.0.1:15090/stats/prometheus"));
  }
}
