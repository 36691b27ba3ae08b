package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.cli.demo.DemoInfo;
import io.meshwork.cli.demo.DemoState;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command's user errors and the detached demo's bookkeeping, with nothing started (the full runs are in DetachedDemoTest). */
class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void aPortInUseIsOneSentenceNamingIt() throws Exception {
    try (var taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      var r = CliRunner.run("demo", "--control-port", String.valueOf(port), "--xds-port", "0", "--console-port", "0",
          "--ip-prefix", "127.0.98");
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().strip()).startsWith("meshwork: port " + port + " on 127.0.0.1 (the control plane's REST API) is already in use")
          .endsWith("or pass --control-port").doesNotContain("\n");
    }
  }

  @Test
  void detachedAPortInUseIsTheSameSentenceAndLeavesNothingRunning() throws Exception {
    var state = tmp.resolve("state");
    try (var taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      var r = CliRunner.run("demo", "--detach", "--state-dir", state.toString(), "--console-port", String.valueOf(port),
          "--control-port", String.valueOf(DetachedDemoTest.freePort()), "--xds-port", String.valueOf(DetachedDemoTest.freePort()),
          "--ip-prefix", "127.0.97", "--mesh-dir", DetachedDemoTest.meshDir().toString());
      assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
      assertThat(r.out()).as("no JSON when nothing started").isEmpty();
      var lastLine = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
      assertThat(lastLine).startsWith("meshwork: port " + port + " on 127.0.0.1 (the console) is already in use")
          .endsWith("or pass --console-port");
    }
    assertThat(state.resolve("demo.json")).doesNotExist();
    assertThat(state.resolve("demo.failed")).doesNotExist();
    assertThat(state.resolve("demo.log")).as("the child's log stays to explain").exists();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline && !childrenOf(state).isEmpty()) {
      Thread.sleep(100);
    }
    assertThat(childrenOf(state)).as("processes of the failed detached demo").isEmpty();
  }

  /**
   * Ctrl-C in a terminal: SIGINT to the whole foreground process group (the demo JVM and
   * redis-server; PostgreSQL runs in a session of its own). Routing mode, the quickest to start;
   * the shutdown path is the same in both modes.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 90, unit = TimeUnit.SECONDS)
  void ctrlCInTheForegroundStopsEverything() throws Exception {
    assumeTrue(io.meshwork.samples.voting.local.LocalPostgres.binaries().isPresent(), "no PostgreSQL binaries");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) && DetachedDemoTest.canBind("127.0.95.1"), "needs Linux (setsid, 127.0.95.x)");
    var log = tmp.resolve("foreground.log");
    var cmd = new java.util.ArrayList<String>(List.of("/usr/bin/setsid", ProcessHandle.current().info().command().orElseThrow()));
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> !a.startsWith("-agentlib:") && !a.startsWith("-javaagent:")).toList());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.meshwork.cli.Main", "demo", "--mode", "routing", "--no-traffic",
        "--ip-prefix", "127.0.95", "--console-port", String.valueOf(DetachedDemoTest.freePort()), "--state-dir", tmp.resolve("state").toString(),
        "--mesh-dir", DetachedDemoTest.meshDir().toString()));
    var demo = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && demo.isAlive() && !Files.readString(log).contains("Ctrl-C stops everything.")) {
        Thread.sleep(200);
      }
      assertThat(Files.readString(log)).as("the ready text").contains("vote     http://127.0.95.1:8080/", "result   http://127.0.95.1:8081/",
          "console  http://127.0.0.1:", "traces   http://127.0.0.1:", "Ctrl-C stops everything.");
      var processes = demo.toHandle().descendants().toList();
      var pg = java.util.regex.Pattern.compile("PostgreSQL on (\\S+)").matcher(Files.readString(log));
      assertThat(pg.find()).isTrue();
      var postgres = ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("postgres")
          && p.info().commandLine().orElse("").contains("-p " + pg.group(1).substring(pg.group(1).lastIndexOf(':') + 1) + " ")).toList();
      assertThat(postgres).as("the demo's postmaster").hasSize(1);

      var status = CliRunner.run("demo", "status", "--state-dir", tmp.resolve("state").toString());
      assertThat(status.exitCode()).as("a foreground demo is recorded too: " + status.out()).isZero();
      assertThat(status.out()).contains("routing mode, pid " + demo.pid());

      var kill = new ProcessBuilder("kill", "-INT", "--", "-" + demo.pid()).inheritIO().start();
      assertThat(kill.waitFor()).isZero();
      assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits after Ctrl-C").isTrue();
      assertThat(Files.readString(log)).contains("demo: stopped");
      assertThat(tmp.resolve("state").resolve("demo.json")).as("removed on the way out").doesNotExist();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      var all = new java.util.ArrayList<ProcessHandle>(processes);
      all.addAll(postgres);
      while (System.nanoTime() < until && all.stream().anyMatch(ProcessHandle::isAlive)) {
        Thread.sleep(100);
      }
      assertThat(all.stream().filter(ProcessHandle::isAlive).map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList())
          .as("processes left after Ctrl-C").isEmpty();
    } finally {
      demo.destroyForcibly();
    }
  }

  @Test
  void statusAndStopWithoutADemo() {
    var state = tmp.resolve("none").toString();
    var status = CliRunner.run("demo", "status", "--state-dir", state);
    assertThat(status.exitCode()).isEqualTo(3);
    assertThat(status.out()).startsWith("no demo is running");
    var stop = CliRunner.run("demo", "stop", "--state-dir", state);
    assertThat(stop.exitCode()).isZero();
    assertThat(stop.out()).startsWith("no demo is running");
  }

  @Test
  void staleStateIsReportedThenCleanedUpWithWhatTheDeadDemoLeftBehind() throws Exception {
    var exited = new ProcessBuilder("true").start();
    exited.waitFor();
    Process orphan = null;
    var pids = new java.util.TreeMap<String, Long>(Map.of("demo", exited.pid()));
    var redisServer = Path.of("/usr/bin/redis-server");
    if (Files.isExecutable(redisServer)) { // a redis-server whose demo JVM was killed with -9
      orphan = new ProcessBuilder(redisServer.toString(), "--port", String.valueOf(DetachedDemoTest.freePort()), "--bind", "127.0.0.1",
          "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      pids.put("redis", orphan.pid());
    }
    var state = new DemoState(tmp.resolve("stale"));
    state.write(new DemoInfo("http://127.0.96.1:8080/", "http://127.0.96.1:8081/", "http://127.0.0.1:1/", "http://127.0.0.1:1/#/traces",
        null, null, "mesh", exited.pid(), Instant.now().toEpochMilli(), "demo.log", pids, Map.of()));

    var status = CliRunner.run("demo", "status", "--state-dir", state.dir().toString());
    assertThat(status.exitCode()).isEqualTo(3);
    assertThat(status.out()).contains("is left from pid " + exited.pid());

    var stop = CliRunner.run("demo", "stop", "--state-dir", state.dir().toString());
    assertThat(stop.exitCode()).as(stop.out() + stop.err()).isZero();
    assertThat(stop.out()).contains("was no longer running; removed its stale state");
    assertThat(state.infoFile()).doesNotExist();
    if (orphan != null) {
      assertThat(stop.out()).contains("redis (pid " + orphan.pid() + ")");
      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the orphaned redis-server was stopped").isTrue();
    }
  }

  @Test
  void aSecondDetachedDemoIsRefusedWhileOneRuns() throws Exception {
    var state = new DemoState(tmp.resolve("busy"));
    var self = ProcessHandle.current();
    state.write(new DemoInfo("http://127.0.96.1:8080/", "http://127.0.96.1:8081/", "http://127.0.0.1:1/", "http://127.0.0.1:1/#/traces",
        null, null, "mesh", self.pid(), self.info().startInstant().orElseThrow().toEpochMilli(), "demo.log", Map.of(), Map.of()));
    var r = CliRunner.run("demo", "--detach", "--state-dir", state.dir().toString(), "--mesh-dir", DetachedDemoTest.meshDir().toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("a demo is already running (pid " + self.pid() + ", vote on http://127.0.96.1:8080/)");
    assertThat(state.infoFile()).as("the running demo's state is kept").exists();
  }

  @Test
  void aNonLoopbackPrefixIsRefused() {
    var r = CliRunner.run("demo", "--ip-prefix", "10.0.0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--ip-prefix 10.0.0: give the first three octets of a loopback address");
  }

  @Test
  void anUnknownModeIsRefused() {
    var r = CliRunner.run("demo", "--mode", "swarm");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--mode swarm: choose mesh or routing");
  }

  private static java.util.List<ProcessHandle> childrenOf(Path state) {
    assumeTrue(ProcessHandle.current().info().commandLine().isPresent(), "this platform does not show command lines");
    return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(state.toString())).toList();
  }
}
