package io.meshwork.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.samples.voting.local.LocalPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole demo on free ports and a loopback prefix of its own: votes cast through the gateway
 * reach vote v1 and v2 about 90/10, result's tally counts every one of them, and stopping leaves no
 * child process (redis-server, postgres) behind.
 */
class VotingDemoTest {
  private static final int VOTES = 100;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void votesThroughTheGatewayReachBothVersionsAndTheResultThenStopLeavesNoProcess() throws Exception {
    assumeTrue(LocalPostgres.binaries().isPresent(),
        "no PostgreSQL binaries (none installed and the bundled ones are for linux x86_64 only): the demo cannot start here");
    String prefix = "127.0." + (100 + ThreadLocalRandom.current().nextInt(150));
    assumeTrue(canBind(prefix + ".1"), "cannot bind " + prefix + ".1 (loopback addresses other than 127.0.0.1 need Linux)");
    var log = new ByteArrayOutputStream();
    var out = new PrintStream(log, true, StandardCharsets.UTF_8);
    var options = new DemoOptions(prefix, freePort(), freePort(), freePort(), meshDir());
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    List<ProcessHandle> children;
    int v2 = 0;
    try (var demo = VotingDemo.start(options, out, false)) {
      assertThat(log.toString(StandardCharsets.UTF_8)).contains("not applied: peer-authentication.yaml, redis-authorization.yaml");
      children = ProcessHandle.current().descendants().toList();
      assertThat(children).as("redis-server or postgres run as child processes").isNotEmpty();

      for (int i = 0; i < VOTES; i++) {
        var choice = i % 2 == 0 ? "a" : "b";
        var r = http.send(HttpRequest.newBuilder(demo.voteUrl()).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("vote=" + choice + "&voter_id=demo-voter-" + i)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("vote %d: %s", i, r.body()).isEqualTo(200);
        var version = r.headers().firstValue("x-vote-version").orElseThrow();
        assertThat(version).isIn("v1", "v2");
        assertThat(r.body()).contains("\"version\":\"" + version + "\"");
        if (version.equals("v2")) {
          v2++;
        }
      }
      assertThat(v2).as("v2 answered %d of %d votes (the canary is 10%%)", v2, VOTES).isBetween(2, 25);

      String tally = "";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        tally = http.send(HttpRequest.newBuilder(demo.resultUrl().resolve("/api/results")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        if (number(tally, "total") == VOTES) {
          break;
        }
        Thread.sleep(200);
      }
      assertThat(number(tally, "total")).as(tally).isEqualTo(VOTES);
      assertThat(number(tally, "a")).as(tally).isEqualTo(VOTES / 2);
      assertThat(number(tally, "b")).as(tally).isEqualTo(VOTES / 2);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && children.stream().anyMatch(ProcessHandle::isAlive)) {
      Thread.sleep(100);
    }
    assertThat(children.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().command().orElse("?")).toList())
        .as("child processes left after stop").isEmpty();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList()).isEmpty();
  }

  private static long number(String json, String field) {
    var m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static Path meshDir() {
    for (var d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      var mesh = d.resolve("samples/voting-app/mesh");
      if (Files.isDirectory(mesh)) {
        return mesh;
      }
    }
    throw new IllegalStateException("samples/voting-app/mesh not found above " + Path.of("").toAbsolutePath());
  }

  private static boolean canBind(String host) {
    try (var s = new ServerSocket()) {
      s.bind(new InetSocketAddress(host, 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
