package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.cli.demo.DemoOptions;
import io.meshwork.cli.demo.PlainHttp;
import io.meshwork.cli.demo.TransparentDemo;
import io.meshwork.proxy.capture.CommandRunner;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code demo --transparent} end to end on the real kernel: every workload in its own network
 * namespace with capture rules and a captured sidecar; 20 votes cast through the gateway on the
 * host are counted by result (so vote reached {@code redis:6379}, and worker and result reached
 * {@code db:5432}, by plain names); redis's sidecar reports the vote apps' connections as
 * destination with mutual TLS (STRICT); after stop no namespace and no ISTIO_ rule is left.
 */
class TransparentDemoTest {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void votingAppInPodsAddressesPeersByName() throws Exception {
    var reason = TransparentDemo.unavailable();
    if (reason.isPresent()) {
      if (System.getenv("CI") != null) {
        fail("CI runs as root with iproute2 and iptables; transparent mode cannot run: " + reason.get());
      }
      assumeTrue(false, "skipped (not root and not CI): " + reason.get());
    }
    var options = new DemoOptions("127.0.44", freePort(), freePort(), freePort(), Path.of("../samples/voting-app/mesh"),
        DemoOptions.Mode.MESH, 0);
    var demo = TransparentDemo.start(options, System.out, false);
    String id;
    try {
      id = demo.network().id();
      URI vote = demo.voteUrl();
      for (int i = 0; i < 20; i++) {
        var r = PlainHttp.postForm(vote, Map.of("Cookie", "voter_id=tp-voter-" + i, "Accept", "application/json"),
            "vote=" + (i % 2 == 0 ? "a" : "b"), TIMEOUT);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String tally = "";
      while (System.nanoTime() < deadline) {
        tally = PlainHttp.get(demo.resultUrl().resolve("/api/results"), Map.of(), TIMEOUT).body();
        if (tally.replaceAll("\\s", "").contains("\"total\":20")) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(tally.replaceAll("\\s", "")).as("result counts the 20 votes").contains("\"total\":20");

      int admin = demo.sidecar("redis").proxy().server().adminPort();
      var metrics = PlainHttp.get(URI.create("http://127.0.0.1:" + admin + "/stats/prometheus"), Map.of(), TIMEOUT).body();
      var tcp = metrics.lines().filter(l -> l.startsWith("istio_tcp_connections_opened_total{")).toList();
      assertThat(tcp).as("redis's sidecar saw the vote app's connection over mTLS")
          .anyMatch(l -> l.contains("reporter=\"destination\"") && l.contains("connection_security_policy=\"mutual_tls\"")
              && l.contains("source_workload=\"vote-v1\"") || l.contains("reporter=\"destination\"")
              && l.contains("connection_security_policy=\"mutual_tls\"") && l.contains("source_workload=\"vote-v2\""));
    } finally {
      demo.close();
    }
    var netns = CommandRunner.local().run(List.of("ip", "netns", "list"), "");
    assertThat(netns.stdout()).as("no namespace of the demo is left").doesNotContain(id);
    for (var table : List.of("nat", "mangle")) {
      var saved = CommandRunner.local().run(List.of("iptables-save", "-t", table), "");
      assertThat(saved.stdout()).as("no capture rule on the host (" + table + ")").doesNotContain("ISTIO_");
    }
  }

  static int freePort() throws Exception {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
