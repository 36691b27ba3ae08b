package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cli.demo.PlainHttp;
import io.meshwork.cli.demo.TransparentDemo;
import io.meshwork.proxy.capture.CommandRunner;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --transparent --detach --no-traffic} end to end on the real kernel: every workload
 * in its own network namespace with capture rules and a captured sidecar. 200 votes cast through
 * the gateway on the host (split 90/10 between v1 and v2, PostgreSQL killed in the middle and
 * started again by the demo) show up in result's event stream (so vote reached {@code redis:6379},
 * and worker and result reached {@code db:5432}, by plain names); redis's sidecar reports the vote
 * apps' connections as destination with mutual TLS (STRICT); the Redis policy refuses result's
 * pod; the console's graph has every edge with mTLS and a vote's trace runs from the gateway into
 * vote's pod ({@link MeshChecks}, as in mesh mode); the apps' own ports, captured, refuse plaintext; the 100% v2 step moves all traffic; after
 * {@code demo stop} no namespace of the demo and no ISTIO_ rule is left.
 */
class TransparentDemoTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int VOTES = 200;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  void votingAppInPodsAddressesPeersByName() throws Exception {
    var reason = TransparentDemo.unavailable();
    if (reason.isPresent()) {
      if (System.getenv("CI") != null) {
        fail("CI runs as root with iproute2 and iptables; transparent mode cannot run: " + reason.get());
      }
      assumeTrue(false, "skipped (not root and not CI): " + reason.get());
    }
    String prefix = "127.0." + (100 + ThreadLocalRandom.current().nextInt(150));
    var state = tmp.resolve("state");
    var started = CliRunner.run("demo", "--transparent", "--detach", "--no-traffic", "--postgres-restart-delay", MeshChecks.RESTART_DELAY, "--state-dir", state.toString(),
        "--ip-prefix", prefix, "--control-port", String.valueOf(freePort()), "--xds-port", String.valueOf(freePort()),
        "--console-port", String.valueOf(freePort()), "--mesh-dir", DetachedDemoTest.meshDir().toString());
    assertThat(started.exitCode()).as(started.err() + log(state)).isZero();
    var info = JSON.readTree(started.out().strip());
    long demoPid = info.get("pid").asLong();
    String netnsPrefix = "mw-" + Long.toString(demoPid, 36) + "-";
    try {
      assertThat(info.get("mode").asText()).isEqualTo("transparent");
      // The demo's namespaces: mw-PID-SEQ-POD (PodNetwork's names, PID in base 36).
      var ours = netns().lines().map(l -> l.split(" ")[0]).filter(n -> n.startsWith(netnsPrefix)).toList();
      assertThat(ours).as("one namespace per workload").hasSize(6).allMatch(n -> n.matches(java.util.regex.Pattern.quote(netnsPrefix)
          + "\\d+-(redis|db|vote-v1|vote-v2|worker|result)-pod"));
      String seq = ours.getFirst().substring(0, ours.getFirst().indexOf('-', netnsPrefix.length()) + 1);
      var vote = URI.create(info.get("vote").asText());
      var result = URI.create(info.get("result").asText());
      assertThat(vote.getHost()).as("the gateway stays on the host's loopback").isEqualTo(prefix + ".1");
      // 200 voters through the gateway (90/10 canary), PostgreSQL killed after 100 and started again
      // by the demo in its pod: result's stream must count every vote, those cast while it was down too.
      var lastStreamed = new AtomicLong(-1);
      try (var stream = DetachedDemoTest.openStream(result.resolve("/stream"), lastStreamed)) {
        var versions = MeshChecks.votesAcrossPostgresRestart(vote, info.get("pids").get("postgres").asLong(),
            state.resolve("demo.json"), VOTES);
        MeshChecks.canarySplit(versions);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && lastStreamed.get() != VOTES) {
          Thread.sleep(100);
        }
        assertThat(lastStreamed.get()).as("result's stream counts every vote, those cast while PostgreSQL was down too"
            + log(state)).isEqualTo(VOTES);
      }
      var tally = PlainHttp.get(result.resolve("/api/results"), Map.of(), TIMEOUT).body();
      assertThat(DetachedDemoTest.number(tally, "a")).as(tally).isEqualTo(VOTES / 2);
      assertThat(DetachedDemoTest.number(tally, "b")).as(tally).isEqualTo(VOTES / 2);
      long newPg = JSON.readTree(Files.readString(state.resolve("demo.json"))).get("pids").get("postgres").asLong();
      assertThat(newPg).as("the demo started PostgreSQL again (a new pid in demo.json)")
          .isNotEqualTo(info.get("pids").get("postgres").asLong());
      assertThat(io.meshwork.cli.demo.DetachedDemo.running(newPg)).isTrue();

      // The vote apps' Redis connections went through both sidecars, over mTLS.
      var scrape = URI.create(probe(info, "sidecar redis ").replace("/ready", "/stats/prometheus"));
      List<String> tcp = List.of();
      String metrics = "";
      long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < until) {
        metrics = PlainHttp.get(scrape, Map.of(), TIMEOUT).body();
        tcp = metrics.lines().filter(l -> l.startsWith("istio_tcp_connections_opened_total{")
            && l.contains("reporter=\"destination\"") && l.contains("connection_security_policy=\"mutual_tls\"")
            && (l.contains("source_workload=\"vote-v1\"") || l.contains("source_workload=\"vote-v2\""))).toList();
        if (!tcp.isEmpty()) {
          break;
        }
        // A connection's labels are resolved at its first report, which bytes after the reporting
        // interval (1 s) or the close trigger: vote's pooled Redis connection reports on the next vote.
        Thread.sleep(1200);
        PlainHttp.postForm(vote, Map.of("Cookie", "voter_id=tp-voter-extra", "Accept", "application/json"), "vote=a", TIMEOUT);
      }
      var voteSide = PlainHttp.get(URI.create(probe(info, "sidecar vote-v1 ").replace("/ready", "/stats/prometheus")), Map.of(),
          TIMEOUT).body();
      assertThat(tcp).as("redis's sidecar saw a vote app's connection over mTLS:\n"
          + String.join("\n", metrics.lines().filter(l -> l.startsWith("istio_tcp")).toList()) + "\nvote-v1's sidecar:\n"
          + String.join("\n", voteSide.lines().filter(l -> l.startsWith("istio_tcp") || l.contains("6379")).toList())).isNotEmpty();

      // By name from inside the pods: vote's pod reaches Redis (which asks for AUTH); result's pod is
      // refused by the Redis policy (only vote and worker may connect).
      assertThat(redisPing(seq + "vote-v1-pod")).startsWith("-NOAUTH");
      assertThat(redisPing(seq + "result-pod")).doesNotContain("NOAUTH").doesNotContain("PONG");

      // The console scrapes the sidecars (admin ports on the host's loopback, found through the
      // control plane) and takes their spans (from inside the pods, through the bridge's address).
      var console = URI.create(info.get("console").asText());
      MeshChecks.graphShowsMtlsEdges(console);
      MeshChecks.voteTraceThroughGateway(console, vote);
      // STRICT, with capture: the apps' own ports (reached from the host over the bridge) are
      // redirected to the sidecars' inbound, which refuses plaintext and clients without a certificate.
      MeshChecks.strictRefusesPlaintext(tmp, podAddress(seq + "vote-v1-pod") + ":8080", podAddress(seq + "redis-pod") + ":6379");
      MeshChecks.canaryStepMovesAllTraffic(vote, info.get("controlPlane").asText());
    } finally {
      var stop = CliRunner.run("demo", "stop", "--state-dir", state.toString());
      assertThat(stop.exitCode()).as(stop.err()).isZero();
    }
    assertThat(ProcessHandle.of(demoPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(netns()).as("no namespace of the demo is left").doesNotContain(netnsPrefix);
    for (var table : List.of("nat", "mangle")) {
      var saved = CommandRunner.local().run(List.of("iptables-save", "-t", table), "");
      assertThat(saved.stdout()).as("no capture rule on the host (" + table + ")").doesNotContain("ISTIO_");
    }
  }

  /**
   * A demo JVM killed with -9 cannot clean up: its pods (and the apps in them) stay until
   * {@code demo stop}, which removes them through PodNetwork's stale cleanup.
   */
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void stopAfterACrashRemovesThePods() throws Exception {
    var reason = TransparentDemo.unavailable();
    if (reason.isPresent()) {
      if (System.getenv("CI") != null) {
        fail("CI runs as root with iproute2 and iptables; transparent mode cannot run: " + reason.get());
      }
      assumeTrue(false, "skipped (not root and not CI): " + reason.get());
    }
    String prefix = "127.0." + (100 + ThreadLocalRandom.current().nextInt(150));
    var state = tmp.resolve("state");
    var started = CliRunner.run("demo", "--transparent", "--detach", "--no-traffic", "--postgres-restart-delay", MeshChecks.RESTART_DELAY, "--state-dir", state.toString(),
        "--ip-prefix", prefix, "--control-port", String.valueOf(freePort()), "--xds-port", String.valueOf(freePort()),
        "--console-port", String.valueOf(freePort()), "--mesh-dir", DetachedDemoTest.meshDir().toString());
    assertThat(started.exitCode()).as(started.err() + log(state)).isZero();
    var info = JSON.readTree(started.out().strip());
    long demoPid = info.get("pid").asLong();
    String netnsPrefix = "mw-" + Long.toString(demoPid, 36) + "-";
    var pids = new ArrayList<Long>();
    info.get("pids").forEach(p -> pids.add(p.asLong()));
    var demo = ProcessHandle.of(demoPid).orElseThrow();
    demo.destroyForcibly();
    demo.onExit().join();
    assertThat(netns()).as("a killed demo leaves its pods behind").contains(netnsPrefix);

    var stop = CliRunner.run("demo", "stop", "--state-dir", state.toString());
    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(netns()).as("no namespace of the demo is left").doesNotContain(netnsPrefix);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pids.stream().anyMatch(io.meshwork.cli.demo.DetachedDemo::running) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(pids).as("no app process of the demo runs").noneMatch(io.meshwork.cli.demo.DetachedDemo::running);
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList()).as("the crashed demo's work directory (CA key, tokens) is gone")
          .noneMatch(n -> n.startsWith("meshwork-transparent-" + demoPid + "-"));
    }
  }

  private static String netns() throws IOException {
    return CommandRunner.local().run(List.of("ip", "netns", "list"), "").stdout();
  }

  /** The address of the pod whose namespace is {@code netns} (its eth0, on the bridge). */
  private static String podAddress(String netns) throws IOException {
    var out = CommandRunner.local().run(List.of("ip", "-n", netns, "-4", "-o", "addr", "show", "dev", "eth0"), "").stdout();
    var m = java.util.regex.Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(out);
    assertThat(m.find()).as("eth0's address in " + netns + ": " + out).isTrue();
    return m.group(1);
  }

  /** What a captured client in {@code netns} gets for PING at redis:6379 (resolved by the pod's /etc/hosts). */
  private static String redisPing(String netns) throws IOException {
    return CommandRunner.local().run(List.of("ip", "netns", "exec", netns, "timeout", "15", "bash", "-c",
        "exec 3<>/dev/tcp/redis/6379 && printf 'PING\\r\\n' >&3 && timeout 5 head -n1 <&3"), "").stdout();
  }

  private static String probe(JsonNode info, String startsWith) {
    var names = new ArrayList<String>();
    info.get("probes").fieldNames().forEachRemaining(names::add);
    var name = names.stream().filter(n -> n.startsWith(startsWith)).findFirst();
    assertThat(name).as("probe " + startsWith + " in " + names).isPresent();
    return info.get("probes").get(name.get()).asText();
  }

  private static String log(Path state) {
    try {
      return "\n--- demo.log ---\n" + Files.readString(state.resolve("demo.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    return MeshMtlsEndToEndTest.freePort(); // outside the ephemeral range: no port-0 bind can take it first
  }
}
