package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meshwork proxy --prometheus-port}: the dedicated Prometheus endpoint, as a user starts it. */
class ProxyCommandPrometheusTest {
  @Test
  void servesTheMetricsPageOnItsOwnPort(@TempDir Path dir) throws Exception {
    var bootstrap = dir.resolve("bootstrap.yaml");
    Files.writeString(bootstrap, """
        node:
          id: sidecar~127.0.0.1~ratings-v1-x.default~default.svc.cluster.local
          metadata: {NAMESPACE: default, WORKLOAD_NAME: ratings-v1, LABELS: {app: ratings, version: v1}}
        admin:
          address: {socket_address: {address: 127.0.0.1, port_value: 0}}
        static_resources: {}
        """);
    var err = new StringWriter();
    var code = new AtomicInteger(-1);
    var thread = Thread.ofVirtual().start(() -> code.set(Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
        "proxy", "--bootstrap", bootstrap.toString(), "--prometheus-port", "0", "--concurrency", "1")));
    var prometheus = Pattern.compile("Prometheus metrics on http://127\\.0\\.0\\.1:(\\d+)/stats/prometheus");
    var admin = Pattern.compile("admin on 127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && !(prometheus.matcher(err.toString()).find() && err.toString().contains("ready"))) {
      Thread.sleep(50);
    }
    var m = prometheus.matcher(err.toString());
    assertThat(m.find()).as(err.toString()).isTrue();
    var http = HttpClient.newHttpClient();
    var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/stats/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("envoy_server_total_connections 0", "jvm_memory_bytes_used{area=\"heap\"}");
    var a = admin.matcher(err.toString());
    assertThat(a.find()).isTrue();
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.group(1) + "/quitquitquit"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    thread.join(Duration.ofSeconds(10));
    assertThat(code.get()).as(err.toString()).isZero();
  }

  @Test
  void anImpossiblePortIsAUsageError() {
    var r = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1", "--workload", "w", "--prometheus-port", "70000");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--prometheus-port 70000: must be a port number");
  }
}
