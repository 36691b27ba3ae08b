package io.meshwork.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts child processes and stops every one of them (and their descendants) on {@link #close()},
 * in reverse order: first SIGTERM, then SIGKILL after a grace period. A shutdown hook does the same
 * when the benchmark itself is interrupted, so no proxy or backend outlives it.
 */
public final class Supervisor implements AutoCloseable {
  private final Deque<Process> processes = new ArrayDeque<>();
  private final Thread hook = new Thread(this::stopAll, "bench-supervisor-shutdown");

  public Supervisor() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A started child: its process and when it was started ({@link System#nanoTime()}). */
  public record Child(String name, Process process, long startedNanos, Path log) {
    public long pid() {
      return process.pid();
    }
  }

  /** Starts {@code command} with standard output and error appended to {@code log}. */
  public synchronized Child start(String name, List<String> command, Path log) throws IOException {
    var pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long t = System.nanoTime();
    var p = pb.start();
    processes.push(p);
    return new Child(name, p, t, log);
  }

  /** Starts {@code command} with standard output to {@code out} and standard error readable as a pipe. */
  public synchronized Child startPiped(String name, List<String> command, Path out) throws IOException {
    var pb = new ProcessBuilder(command).redirectOutput(out.toFile());
    long t = System.nanoTime();
    var p = pb.start();
    processes.push(p);
    return new Child(name, p, t, out);
  }

  /** Stops one child now (used between scenarios). */
  public void stop(Child child) {
    stop(child, 5);
  }

  /**
   * Stops one child, giving it {@code graceSeconds} to exit after SIGTERM: a JVM writing an AOT cache
   * at exit needs longer than the default five seconds.
   */
  public void stop(Child child, int graceSeconds) {
    stop(child.process(), graceSeconds);
    synchronized (this) {
      processes.remove(child.process());
    }
  }

  private static void stop(Process p) {
    stop(p, 5);
  }

  private static void stop(Process p, int graceSeconds) {
    var descendants = p.descendants().toList();
    p.destroy();
    try {
      if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  private synchronized void stopAll() {
    while (!processes.isEmpty()) {
      stop(processes.pop());
    }
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ignored) {
      // already shutting down: the hook is running or has run
    }
  }
}
