package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.cli.demo.PlainHttp;
import io.meshwork.samples.voting.local.LocalPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as users run it in the background: {@code meshwork demo --detach} starts a real child
 * JVM (this JVM's java, options and class path, as the launcher's jar would be), then 200 distinct
 * voters vote through the gateway, PostgreSQL is killed in the middle (the votes cast while it is
 * down must still be counted once the demo has started it again), the result page's event stream
 * must end at exactly 200, and {@code demo stop} must leave none of the recorded processes.
 *
 * <p>Mesh mode: the canary sends each request to v2 with probability 0.1 (the proxy draws a random
 * number per request), so v2's count is Binomial(200, 0.1): mean 20, standard deviation
 * sqrt(200 * 0.1 * 0.9) = 4.24. The test accepts 20 +- 17 (4 standard deviations, i.e. a v2 share of
 * 10% +- 8.5 points), which a correct proxy fails about once in 16,000 runs, while a 50/50 split
 * (100) or no canary (0) fails it every time. Then {@code vote-canary-100.yaml} applied with
 * {@code meshwork apply} must send every request to v2.
 *
 * <p>Routing mode: an L4 round robin over the two replicas, one connection per vote, so the
 * versions must strictly alternate (nothing else connects: the traffic generator is off).
 */
class DetachedDemoTest {
  private static final int VOTES = 200;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path tmp;

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS) // 168 s seen on a loaded 2-core machine
  void meshMode() throws Exception {
    scenario("mesh");
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void routingMode() throws Exception {
    scenario("routing");
  }

  private void scenario(String mode) throws Exception {
    assumeTrue(LocalPostgres.binaries().isPresent(),
        "no PostgreSQL binaries (none installed and the bundled ones are for linux x86_64 only): the demo cannot start here");
    String prefix = "127.0." + (100 + ThreadLocalRandom.current().nextInt(150));
    assumeTrue(canBind(prefix + ".1"), "cannot bind " + prefix + ".1 (loopback addresses other than 127.0.0.1 need Linux)");
    var state = tmp.resolve("state");
    boolean mesh = mode.equals("mesh");

    int[] ports = freePorts(3);
    int xdsPort = ports[1];
    var started = CliRunner.run("demo", "--detach", "--no-traffic", "--postgres-restart-delay", MeshChecks.RESTART_DELAY, "--mode", mode, "--state-dir", state.toString(),
        "--ip-prefix", prefix, "--control-port", String.valueOf(ports[0]), "--xds-port", String.valueOf(xdsPort),
        "--console-port", String.valueOf(ports[2]), "--mesh-dir", meshDir().toString());
    assertThat(started.exitCode()).as(started.err() + log(state)).isZero();
    var info = JSON.readTree(started.out().strip());
    long demoPid = info.get("pid").asLong();
    var pids = new ArrayList<Long>();
    info.get("pids").forEach(p -> pids.add(p.asLong()));
    Throwable primary = null;
    try {
      assertThat(demoPid).isNotEqualTo(ProcessHandle.current().pid());
      assertThat(ProcessHandle.of(demoPid).flatMap(p -> p.info().command())).as("the demo runs in its own JVM").get()
          .asString().endsWith("java");
      assertThat(info.get("vote").asText()).isEqualTo("http://" + prefix + ".1:8080/");
      assertThat(info.get("result").asText()).isEqualTo("http://" + prefix + ".1:8081/");
      assertThat(info.has("console")).isTrue();
      assertThat(info.has("controlPlane")).isEqualTo(mesh);
      if (mesh) {
        assertThat(log(state)).contains("peer-authentication.yaml, redis-authorization.yaml from");
        // One join token per sidecar (vote v1 and v2 share service account vote), readable by this user only.
        try (var files = Files.walk(state)) {
          var tokens = files.filter(f -> f.getFileName().toString().endsWith(".token")).toList();
          assertThat(tokens.stream().map(f -> f.getFileName().toString()).sorted().toList()).containsExactly("db.token",
              "istio-ingressgateway.token", "redis.token", "result.token", "vote-v1.token", "vote-v2.token", "worker.token");
          for (var t : tokens) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(t))).as(t.toString())
                .isEqualTo("rw-------");
          }
        }
      }

      var status = CliRunner.run("demo", "status", "--state-dir", state.toString(), "-o", "json");
      assertThat(status.exitCode()).as(status.out()).isZero();
      assertThat(JSON.readTree(status.out()).get("health").toString()).doesNotContain("no answer");

      var vote = URI.create(info.get("vote").asText());
      var result = URI.create(info.get("result").asText());
      var lastStreamed = new AtomicLong(-1);
      try (var stream = openStream(result.resolve("/stream"), lastStreamed)) {
        var versions = MeshChecks.votesAcrossPostgresRestart(vote, info.get("pids").get("postgres").asLong(),
            state.resolve("demo.json"), VOTES);
        assertThat(versions).allMatch(v -> v.equals("v1") || v.equals("v2"));
        if (mesh) {
          MeshChecks.canarySplit(versions);
        } else {
          for (int i = 1; i < versions.size(); i++) {
            assertThat(versions.get(i)).as("round robin: vote %d after %s", i, versions.get(i - 1)).isNotEqualTo(versions.get(i - 1));
          }
          // What an L4 mesh can know: connections per service and replica (demo status reads the routing mesh's /clusters).
          var counts = JSON.readTree(CliRunner.run("demo", "status", "--state-dir", state.toString(), "-o", "json").out())
              .path("connections").path("vote");
          assertThat(counts.size()).as(counts.toString()).isEqualTo(2);
          counts.forEach(n -> assertThat(n.asLong()).as(counts.toString()).isGreaterThanOrEqualTo(VOTES / 2));
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline && lastStreamed.get() != VOTES) {
          Thread.sleep(100);
        }
        assertThat(lastStreamed.get()).as("the result page's stream counts every vote, those cast while PostgreSQL was down too"
            + log(state)).isEqualTo(VOTES);
      }
      var tally = PlainHttp.get(result.resolve("/api/results"), Map.of(), TIMEOUT).body();
      assertThat(number(tally, "a")).as(tally).isEqualTo(VOTES / 2);
      assertThat(number(tally, "b")).as(tally).isEqualTo(VOTES / 2);

      var after = JSON.readTree(Files.readString(state.resolve("demo.json")));
      after.get("pids").forEach(p -> pids.add(p.asLong()));
      assertThat(after.get("pids").get("postgres").asLong()).as("PostgreSQL was started again").isNotEqualTo(
          info.get("pids").get("postgres").asLong());

      if (mesh) {
        var probes = after.path("probes");
        MeshChecks.graphShowsMtlsEdges(URI.create(info.get("console").asText()));
        MeshChecks.voteTraceThroughGateway(URI.create(info.get("console").asText()), vote);
        MeshChecks.strictRefusesPlaintext(tmp, hostPort(probes, "vote-v1 (sidecar inbound, mTLS)"),
            hostPort(probes, "redis (sidecar inbound, mTLS)"));
        MeshChecks.redisPolicyRefusesResult(tmp, info.get("controlPlane").asText(), hostPort(probes, "certificate authority"),
            xdsPort);
      }

      if (mesh) {
        MeshChecks.canaryStepMovesAllTraffic(vote, info.get("controlPlane").asText());
      }
    } catch (Throwable t) {
      primary = t;
      throw t;
    } finally {
      var stop = CliRunner.run("demo", "stop", "--state-dir", state.toString());
      if (primary != null && stop.exitCode() != 0) {
        primary.addSuppressed(new AssertionError("demo stop: " + stop.out() + stop.err() + log(state)));
      }
      assertThat(stop.exitCode()).as(stop.out() + stop.err() + ps(pids)).isZero();
      assertThat(stop.out()).contains("demo stopped (pid " + demoPid + ")");
    }
    assertThat(pids.stream().filter(io.meshwork.cli.demo.DetachedDemo::running).toList())
        .as("recorded processes (demo JVM, redis-server, postgres) alive after stop").isEmpty();
    assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(state.toString())).toList())
        .as("processes started for this state directory").isEmpty();
    assertThat(state.resolve("demo.json")).doesNotExist();
    try (var files = Files.walk(state)) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".token")).toList()).as("join tokens left after stop").isEmpty();
    }
    assertThat(CliRunner.run("demo", "status", "--state-dir", state.toString()).exitCode()).isEqualTo(3);
  }

  /** Reads the result's server-sent events in the background, keeping the last total seen. */
  static AutoCloseable openStream(URI uri, AtomicLong lastTotal) throws IOException {
    var s = new Socket();
    s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
    s.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
        + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    var first = in.readLine();
    assertThat(first).as("the stream's status line").startsWith("HTTP/1.1 200");
    var reader = Thread.ofVirtual().start(() -> {
      try {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (line.startsWith("data:")) {
            long t = number(line, "total");
            if (t >= 0) {
              lastTotal.set(t);
            }
          }
        }
      } catch (IOException e) {
        // closed at the end of the test
      }
    });
    return () -> {
      s.close();
      reader.join(5000);
    };
  }

  /** What the processes still alive among {@code pids} are, for a failure message. */
  private static String ps(List<Long> pids) {
    var sb = new StringBuilder();
    for (long p : pids) {
      ProcessHandle.of(p).filter(ProcessHandle::isAlive).ifPresent(h -> sb.append(io.meshwork.cli.demo.DetachedDemo.running(p) ? "" : " (zombie)").append("\n  alive: ").append(p).append(' ')
          .append(h.info().commandLine().orElse("?")).append(" parent ").append(h.parent().map(ProcessHandle::pid).orElse(-1L)));
    }
    return sb.toString();
  }

  /** {@code host:port} of a {@code tcp://} probe in the demo's state. */
  private static String hostPort(JsonNode probes, String name) {
    var v = probes.path(name).asText();
    assertThat(v).as("probe " + name + " in " + probes).startsWith("tcp://");
    return v.substring("tcp://".length());
  }

  static long number(String json, String field) {
    var m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  static String log(Path state) {
    try {
      return "\n--- demo.log ---\n" + Files.readString(state.resolve("demo.log"));
    } catch (IOException e) {
      return "";
    }
  }

  static Path meshDir() {
    for (var d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      var mesh = d.resolve("samples/voting-app/mesh");
      if (Files.isDirectory(mesh)) {
        return mesh;
      }
    }
    throw new IllegalStateException("samples/voting-app/mesh not found above " + Path.of("").toAbsolutePath());
  }

  static boolean canBind(String host) {
    try (var s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code n} distinct free ports (held open together while chosen). */
  static int[] freePorts(int n) throws IOException {
    var sockets = new ArrayList<ServerSocket>();
    try {
      var ports = new int[n];
      for (int i = 0; i < n; i++) {
        var s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (var s : sockets) {
        s.close();
      }
    }
  }

  static int freePort() throws IOException {
    return MeshMtlsEndToEndTest.freePort(); // outside the ephemeral range: no port-0 bind can take it first
  }

}
