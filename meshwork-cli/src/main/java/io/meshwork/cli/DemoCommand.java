package io.meshwork.cli;

import io.meshwork.cli.demo.DemoInfo;
import io.meshwork.cli.demo.DemoOptions;
import io.meshwork.cli.demo.DemoStartException;
import io.meshwork.cli.demo.DemoState;
import io.meshwork.cli.demo.DetachedDemo;
import io.meshwork.cli.demo.VotingDemo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork demo}: the voting app inside the mesh on this machine (local mode), in the
 * foreground until Ctrl-C, which stops everything it started; or, with {@code --detach}, in a
 * background JVM that {@code meshwork demo status} and {@code meshwork demo stop} manage. The work is
 * in {@link VotingDemo}; the background process in {@link DetachedDemo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    subcommands = {DemoCommand.Status.class, DemoCommand.Stop.class},
    description = {"Run the voting app inside the mesh on this machine: control plane, Redis, PostgreSQL, vote v1/v2, worker and"
        + " result each with a sidecar, an ingress gateway, the console and a little traffic.",
        "Ctrl-C stops it; --detach runs it in the background ('demo status', 'demo stop')."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--control-port", defaultValue = "15014", description = "Control plane REST API port (default ${DEFAULT-VALUE}).")
  int controlPort;

  @Option(names = "--xds-port", defaultValue = "15010", description = "Control plane xDS port (default ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--console-port", defaultValue = "20001", description = "Console port (default ${DEFAULT-VALUE}).")
  int consolePort;

  @Option(names = "--ip-prefix", defaultValue = "127.0.1", paramLabel = "A.B.C",
      description = "Loopback addresses of the workloads: A.B.C.1 gateway, .2 vote v1, .3 vote v2, .4 worker, .5 result"
          + " (routing mode: .6 redis, .7 db virtual addresses) (default ${DEFAULT-VALUE}).")
  String ipPrefix;

  @Option(names = "--mesh-dir", paramLabel = "DIR", description = "The voting app's mesh YAML (default: samples/voting-app/mesh of this checkout).")
  Path meshDir;

  @Option(names = "--mode", defaultValue = "mesh", paramLabel = "mesh|routing",
      description = "mesh: sidecars, control plane, gateway (default); routing: an L4 routing mesh instead"
          + " (a virtual address per service, round robin over replicas, no mTLS, no HTTP routing).")
  String mode;

  @Option(names = "--no-traffic", description = "Do not run the built-in traffic generator.")
  boolean noTraffic;

  @Option(names = "--traffic-rps", defaultValue = "3", paramLabel = "N",
      description = "Requests per second of the traffic generator (default ${DEFAULT-VALUE}).")
  double trafficRps;

  @Option(names = "--transparent", description = "Linux, root: each workload in its own network namespace with iptables capture"
      + " and a captured sidecar; the apps reach redis:6379 and db:5432 by plain names, as in Kubernetes.")
  boolean transparent;

  @Option(names = {"-d", "--detach"}, description = "Run in the background; print the URLs as JSON once everything is ready.")
  boolean detach;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where a detached demo keeps demo.json and demo.log (default: $MESHWORK_HOME/demo or ~/.meshwork/demo).")
  Path stateDir;

  @Option(names = "--postgres-restart-delay", hidden = true, paramLabel = "SECONDS",
      defaultValue = "" + DemoOptions.POSTGRES_RESTART_SECONDS)
  int postgresRestartSeconds;

  @Option(names = "--detached-child", hidden = true)
  boolean detachedChild;

  @Option(names = {"-v", "--verbose"}, description = "Show each proxy's xDS progress.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (!ipPrefix.matches("127\\.\\d{1,3}\\.\\d{1,3}")) {
      throw new UserException(2, "--ip-prefix " + ipPrefix + ": give the first three octets of a loopback address, e.g. 127.0.1");
    }
    DemoOptions.Mode m = switch (mode) {
      case "mesh" -> DemoOptions.Mode.MESH;
      case "routing" -> DemoOptions.Mode.ROUTING;
      default -> throw new UserException(2, "--mode " + mode + ": choose mesh or routing");
    };
    if (!noTraffic && !(trafficRps > 0 && trafficRps <= 1000)) {
      throw new UserException(2, "--traffic-rps " + trafficRps + ": give a rate above 0 and at most 1000, or pass --no-traffic");
    }
    var dir = meshDir != null ? meshDir : findMeshDir();
    var state = new DemoState(stateDir != null ? stateDir : DemoState.defaultDir());
    if (detach && !detachedChild) {
      return launchDetached(state, dir);
    }
    if (transparent) {
      return TransparentDemoRun.run(new DemoOptions(ipPrefix, controlPort, xdsPort, consolePort, dir, m, noTraffic ? 0 : trafficRps,
          state.dir(), postgresRestartSeconds), state, detachedChild, verbose);
    }
    // The control plane logs through java.util.logging: one line per record (time, level, message), as 'meshwork control' does.
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
    var out = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    var demo = VotingDemo.create(new DemoOptions(ipPrefix, controlPort, xdsPort, consolePort, dir, m, noTraffic ? 0 : trafficRps,
        state.dir(), postgresRestartSeconds), out, verbose);
    var stopped = new CountDownLatch(1);
    var hook = new Thread(() -> {
      out.println("demo: stopping...");
      demo.close();
      state.read().filter(i -> i.pid() == ProcessHandle.current().pid()).ifPresent(i -> state.clear());
      out.println("demo: stopped");
      stopped.countDown();
    }, "meshwork-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook); // before anything starts, so Ctrl-C during start-up leaves nothing behind
    try {
      demo.start();
    } catch (DemoStartException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C during start-up: the hook is already stopping what started
      }
      if (detachedChild) {
        writeFailure(state, e.getMessage());
      }
      throw new UserException(1, e.getMessage());
    }
    // A foreground demo records itself too (unless another demo is recorded there), so that 'demo status' and 'demo stop' see it.
    if (detachedChild || state.running().isEmpty()) {
      String logFile = detachedChild ? state.logFile().toString() : null; // a foreground demo logs to its terminal
      demo.onChange(info -> record(state, info, logFile));
      record(state, demo.info(), logFile);
    }
    out.println();
    out.println(m == DemoOptions.Mode.MESH ? "The voting app is running inside the mesh:" : "The voting app is running behind the L4 routing mesh:");
    out.println("  vote     " + demo.voteUrl() + "   (through the " + (m == DemoOptions.Mode.MESH ? "gateway; 90% v1, 10% v2)"
        : "routing mesh; round robin over v1 and v2 per connection)"));
    out.println("  result   " + demo.resultUrl() + "   (through the " + (m == DemoOptions.Mode.MESH ? "gateway)" : "routing mesh)"));
    out.println("  console  " + demo.consoleUrl());
    out.println("  traces   " + demo.tracesUrl());
    if (m == DemoOptions.Mode.MESH) {
      out.println("  control  " + demo.controlPlane() + "   (try: ./meshwork apply -f samples/voting-app/mesh/vote-canary-50.yaml)");
    } else {
      out.println("  counters " + demo.ingressAdminUrl() + "clusters   (connections per service and replica: all an L4 mesh can know)");
    }
    out.println(detachedChild ? "'./meshwork demo stop' stops everything." : "Ctrl-C stops everything.");
    stopped.await();
    return 0;
  }

  private Integer launchDetached(DemoState state, Path dir) throws InterruptedException {
    var args = new ArrayList<String>(List.of("--control-port", String.valueOf(controlPort), "--xds-port", String.valueOf(xdsPort),
        "--console-port", String.valueOf(consolePort), "--ip-prefix", ipPrefix, "--mesh-dir", dir.toAbsolutePath().toString(),
        "--mode", mode, "--traffic-rps", String.valueOf(trafficRps),
        "--postgres-restart-delay", String.valueOf(postgresRestartSeconds)));
    if (transparent) {
      args.add("--transparent");
    }
    if (noTraffic) {
      args.add("--no-traffic");
    }
    if (verbose) {
      args.add("--verbose");
    }
    var err = spec.commandLine().getErr();
    err.println("meshwork: starting the demo in the background (log: " + state.logFile() + ")...");
    err.flush();
    DemoInfo info;
    try {
      info = DetachedDemo.launch(state, args, Duration.ofSeconds(240));
    } catch (DemoStartException e) {
      throw new UserException(1, e.getMessage());
    }
    var out = spec.commandLine().getOut();
    out.println(DemoState.json(info));
    out.flush();
    err.println("meshwork: the demo runs in the background (pid " + info.pid() + "); './meshwork demo status' checks it,"
        + " './meshwork demo stop' stops it.");
    err.flush();
    return 0;
  }

  private static void record(DemoState state, DemoInfo info, String logFile) {
    long pid = ProcessHandle.current().pid();
    long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    try {
      state.write(info.withProcess(pid, started, logFile));
    } catch (IOException e) {
      System.err.println("demo: cannot write " + state.infoFile() + ": " + e.getMessage());
    }
  }

  private static void writeFailure(DemoState state, String sentence) {
    try {
      state.writeFailure(sentence);
    } catch (IOException e) {
      System.err.println("demo: cannot write " + state.failedFile() + ": " + e.getMessage());
    }
  }

  /** samples/voting-app/mesh in the working directory or one of its parents, else next to the CLI's jar. */
  private static Path findMeshDir() {
    var rel = Path.of("samples", "voting-app", "mesh");
    for (var d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve(rel))) {
        return d.resolve(rel);
      }
    }
    try {
      var jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (var d = jar.getParent(); d != null; d = d.getParent()) {
        if (Files.isDirectory(d.resolve(rel))) {
          return d.resolve(rel);
        }
      }
    } catch (Exception e) {
      // fall through to the message below
    }
    throw new UserException(2, "samples/voting-app/mesh was not found here or next to the meshwork jar; pass --mesh-dir DIR");
  }

  private static DemoState stateOf(Path stateDir) {
    return new DemoState(stateDir != null ? stateDir : DemoState.defaultDir());
  }

  /**
   * {@code meshwork demo status}: whether a detached demo runs, its URLs and each component's health.
   * Exit 0 running and healthy, 1 running with a component down, 3 not running (as LSB's status).
   */
  @Command(name = "status", mixinStandardHelpOptions = true,
      description = {"Show whether a demo runs (detached, or in the foreground elsewhere), its URLs and the health of each component.",
          "Exit code: 0 running and healthy, 1 running but a component is down, 3 not running."})
  static final class Status implements Callable<Integer> {
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The detached demo's state directory (default: $MESHWORK_HOME/demo or ~/.meshwork/demo).")
    Path stateDir;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json", description = "Output format (default ${DEFAULT-VALUE}).")
    String output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      var state = stateOf(stateDir);
      var info = state.read();
      boolean json = output.equals("json");
      if (info.isEmpty() || !DemoState.alive(info.get())) {
        if (json) {
          var m = new java.util.LinkedHashMap<String, Object>();
          m.put("running", false);
          info.ifPresent(i -> m.put("stalePid", i.pid()));
          out.println(DemoState.json(m));
        } else if (info.isPresent()) {
          out.println("no demo is running (" + state.infoFile() + " is left from pid " + info.get().pid()
              + ", which has exited; './meshwork demo stop' cleans up)");
        } else {
          out.println("no demo is running (no " + state.infoFile() + ")");
        }
        return 3;
      }
      var i = info.get();
      var health = DetachedDemo.probe(i);
      var connections = DetachedDemo.connections(i);
      boolean healthy = health.values().stream().allMatch("ok"::equals);
      if (json) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("running", true);
        m.put("healthy", healthy);
        m.put("info", i);
        m.put("health", health);
        if (!connections.isEmpty()) {
          m.put("connections", connections);
        }
        out.println(DemoState.json(m));
      } else {
        out.println("demo running (" + i.mode() + " mode, pid " + i.pid() + (i.log() == null ? ", in the foreground" : ", log " + i.log()) + ")");
        out.println("  vote     " + i.vote());
        out.println("  result   " + i.result());
        out.println("  console  " + i.console());
        out.println("  traces   " + i.traces());
        if (i.controlPlane() != null) {
          out.println("  control  " + i.controlPlane());
        }
        if (i.routingMesh() != null) {
          out.println("  routing mesh admin  " + i.routingMesh());
        }
        out.println("health:");
        health.forEach((k, v) -> out.println("  " + k + ": " + v));
        if (!connections.isEmpty()) {
          out.println("connections through the routing mesh (per service and replica):");
          connections.forEach((svc, hosts) -> out.println("  " + svc + ": " + hosts));
        }
      }
      return healthy ? 0 : 1;
    }
  }

  /** {@code meshwork demo stop}: stops a detached demo and everything it started. */
  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = {"Stop a detached demo and every process it started; removes its state (a stale one too).",
          "Exit code 0 when nothing is left running (also when no demo was running), 1 otherwise."})
  static final class Stop implements Callable<Integer> {
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The detached demo's state directory (default: $MESHWORK_HOME/demo or ~/.meshwork/demo).")
    Path stateDir;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      var out = spec.commandLine().getOut();
      var state = stateOf(stateDir);
      var before = state.read();
      var stopped = DetachedDemo.stop(state);
      if (stopped.isEmpty()) {
        out.println("no demo is running (no " + state.infoFile() + ")");
        return 0;
      }
      var s = stopped.get();
      var alive = before.get().pids() == null ? List.<Long>of()
          : before.get().pids().values().stream().filter(DetachedDemo::running).toList();
      if (!alive.isEmpty()) {
        throw new UserException(1, "the demo's processes " + alive + " are still running after stop; stop them with kill " 
            + String.join(" ", alive.stream().map(String::valueOf).toList()));
      }
      if (s.wasRunning()) {
        out.println("demo stopped (pid " + s.pid() + ")" + (s.leftovers().isEmpty() ? "" : "; also stopped " + String.join(", ", s.leftovers())));
      } else {
        out.println("the demo (pid " + s.pid() + ") was no longer running; removed its stale state"
            + (s.leftovers().isEmpty() ? "" : " and stopped what it had left: " + String.join(", ", s.leftovers())));
      }
      return 0;
    }
  }
}
