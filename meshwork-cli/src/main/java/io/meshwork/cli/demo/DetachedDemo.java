package io.meshwork.cli.demo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code meshwork demo --detach}, {@code status} and {@code stop}: the demo in a child JVM started
 * with this JVM's own settings (same java, same JVM options, same class path), in a session of its
 * own ({@code setsid} when there is one) so the terminal's Ctrl-C and hang-up do not reach it, its
 * output in {@code demo.log} of the {@link DemoState state directory}. The child writes
 * {@code demo.json} once everything answers (or {@code demo.failed} with the reason), which is what
 * the parent waits for; {@code stop} sends it SIGTERM, whose shutdown hook stops everything the demo
 * started, then makes sure that the recorded processes (the JVM, redis-server, postgres) are gone.
 */
public final class DetachedDemo {
  /** The hidden flag that makes {@code meshwork demo} the detached child. */
  public static final String CHILD_FLAG = "--detached-child";
  static final long STOP_WAIT_SECONDS = 60;
  private static final Duration STOP_WAIT = Duration.ofSeconds(STOP_WAIT_SECONDS);

  private DetachedDemo() {}

  /**
   * Starts the child with {@code demoArgs} (the user's {@code demo} options minus {@code --detach})
   * and returns its {@link DemoInfo} once it is ready; a failed start throws with the child's
   * one-sentence reason and leaves nothing running.
   */
  public static DemoInfo launch(DemoState state, List<String> demoArgs, Duration timeout) throws DemoStartException, InterruptedException {
    var existing = state.read();
    if (existing.isPresent() && DemoState.alive(existing.get())) {
      throw new DemoStartException("a demo is already running (pid " + existing.get().pid() + ", vote on " + existing.get().vote()
          + "); stop it with './meshwork demo stop' or use another --state-dir");
    }
    if (existing.isPresent()) {
      killLeftovers(existing.get());
    }
    state.clear();
    var cmd = childCommand(demoArgs, state.dir());
    Process child;
    try {
      Files.createDirectories(state.dir());
      child = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(state.logFile().toFile())).start();
    } catch (IOException e) {
      throw new DemoStartException("cannot start the demo's background process (" + e.getMessage() + ") in " + state.dir(), e);
    }
    // Ctrl-C while waiting: the child is in its own session and would not hear it, so stop it here.
    var hook = new Thread(() -> stopProcess(child.toHandle()), "meshwork-demo-detach-abort");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        var info = state.read();
        if (info.isPresent() && isChildOrDescendant(child.toHandle(), info.get().pid())) {
          return info.get();
        }
        if (Files.exists(state.failedFile())) {
          String why = read(state.failedFile()).strip();
          child.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
          stopProcess(child.toHandle());
          state.clear();
          throw new DemoStartException(why);
        }
        if (!child.isAlive()) {
          throw new DemoStartException("the demo's background process exited with code " + child.exitValue()
              + " before it was ready; see " + state.logFile() + lastLines(state.logFile()));
        }
        Thread.sleep(200);
      }
      stopProcess(child.toHandle());
      state.clear();
      throw new DemoStartException("the demo was not ready within " + timeout.toSeconds() + " s and was stopped; see " + state.logFile());
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is stopping the child
      }
    }
  }

  /** {@code java [this JVM's options] -cp [this class path] io.meshwork.cli.Main demo ARGS --detached-child --state-dir DIR}. */
  static List<String> childCommand(List<String> demoArgs, Path stateDir) {
    var cmd = new ArrayList<String>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (var a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      // A debugger or agent of this JVM must not be started twice (its port would be taken).
      if (!a.startsWith("-agentlib:") && !a.startsWith("-javaagent:") && !a.startsWith("-Xrunjdwp") && !a.equals("-Xdebug")) {
        cmd.add(a);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.meshwork.cli.Main");
    cmd.add("demo");
    cmd.addAll(demoArgs);
    cmd.add(CHILD_FLAG);
    cmd.add("--state-dir");
    cmd.add(stateDir.toString());
    return cmd;
  }

  /** What {@code stop} did. */
  public record Stopped(boolean wasRunning, long pid, List<String> leftovers) {}

  /**
   * Stops the recorded demo: SIGTERM to its JVM (whose shutdown hook stops everything), a wait of
   * up to {@value #STOP_WAIT_SECONDS} s, SIGKILL if it is still there; then any recorded process
   * still alive (a JVM killed with -9 leaves redis-server and postgres behind) is stopped too, and
   * the state files are removed. Empty when no demo was recorded.
   */
  public static Optional<Stopped> stop(DemoState state) {
    var info = state.read();
    if (info.isEmpty()) {
      state.clear();
      return Optional.empty();
    }
    boolean alive = DemoState.alive(info.get());
    if (alive) {
      ProcessHandle.of(info.get().pid()).ifPresent(DetachedDemo::stopProcess);
    }
    var leftovers = killLeftovers(info.get());
    if ("transparent".equals(info.get().mode())) {
      TransparentDemo.cleanStale(); // its pods, their processes and its work directory if its JVM died without cleaning up
    }
    state.clear();
    return Optional.of(new Stopped(alive, info.get().pid(), leftovers));
  }

  /** Stops the recorded redis-server and postgres if they outlived the JVM; returns what was stopped. */
  private static List<String> killLeftovers(DemoInfo info) {
    var stopped = new ArrayList<String>();
    var pids = info.pids() == null ? Map.<String, Long>of() : info.pids();
    for (var e : pids.entrySet()) {
      if (e.getKey().equals("demo")) {
        continue;
      }
      var expect = e.getKey().equals("postgres") ? "postgres" : "redis";
      ProcessHandle.of(e.getValue()).filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(c -> c.contains(expect)).orElse(false))
          .ifPresent(p -> {
            stopProcess(p);
            stopped.add(e.getKey() + " (pid " + e.getValue() + ")");
          });
    }
    return stopped;
  }

  /**
   * Whether {@code pid} still runs: alive and, on Linux, not a zombie. A process that exited after
   * its parent (redis-server or postgres after the demo JVM) is a zombie until init reaps it, and
   * where init reaps slowly (a container's) {@link ProcessHandle#isAlive()} keeps saying true for it.
   */
  public static boolean running(long pid) {
    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      try {
        var stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
      } catch (java.io.IOException | RuntimeException e) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); // no /proc (not Linux) or gone meanwhile
      }
    }
    return false;
  }

  /** SIGTERM, wait, then SIGKILL; waits for the process to be gone. */
  static void stopProcess(ProcessHandle p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      p.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      p.destroyForcibly();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // reported by the caller's process check
      }
    }
  }

  /** The health of each component: "ok" or why not. */
  public static Map<String, String> probe(DemoInfo info) {
    var health = new LinkedHashMap<String, String>();
    var probes = info.probes() == null ? Map.<String, String>of() : info.probes();
    health.put("demo process", DemoState.alive(info) ? "ok" : "not running (pid " + info.pid() + ")");
    for (var e : probes.entrySet()) {
      health.put(e.getKey(), probe(e.getValue()));
    }
    return health;
  }

  private static String probe(String target) {
    var uri = URI.create(target);
    try {
      if (uri.getScheme().equals("tcp")) {
        try (var s = new Socket()) {
          s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 2000);
        }
        return "ok";
      }
      var r = PlainHttp.get(uri, Map.of(), Duration.ofSeconds(3));
      return r.status() == 200 ? "ok" : "HTTP " + r.status() + " from " + target;
    } catch (IOException e) {
      return "no answer from " + target + " (" + e.getMessage() + ")";
    }
  }

  /**
   * Routing mode: connections per service and replica, from the routing mesh's {@code /clusters}
   * ({@code cluster::host::rq_total::N}; for a TCP listener a "request" is a connection).
   */
  public static Map<String, Map<String, Long>> connections(DemoInfo info) {
    var out = new TreeMap<String, Map<String, Long>>();
    if (info.routingMesh() == null) {
      return out;
    }
    try {
      var body = PlainHttp.get(URI.create(info.routingMesh()).resolve("/clusters"), Map.of(), Duration.ofSeconds(3)).body();
      for (var line : body.lines().toList()) {
        var f = line.split("::");
        if (f.length == 4 && f[2].equals("rq_total")) {
          out.computeIfAbsent(f[0], k -> new TreeMap<>()).put(f[1], Long.parseLong(f[3].trim()));
        }
      }
    } catch (IOException | RuntimeException e) {
      // shown as no figures; the probe reports the routing mesh as down
    }
    return out;
  }

  private static boolean isChildOrDescendant(ProcessHandle child, long pid) {
    return child.pid() == pid || child.descendants().anyMatch(p -> p.pid() == pid);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "the demo failed to start (" + e.getMessage() + ")";
    }
  }

  private static String lastLines(Path log) {
    try {
      var lines = Files.readAllLines(log);
      var tail = lines.subList(Math.max(0, lines.size() - 10), lines.size());
      return tail.isEmpty() ? "" : ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "";
    }
  }
}
