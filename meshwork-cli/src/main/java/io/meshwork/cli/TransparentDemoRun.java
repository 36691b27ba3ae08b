package io.meshwork.cli;

import io.meshwork.cli.demo.DemoInfo;
import io.meshwork.cli.demo.DemoOptions;
import io.meshwork.cli.demo.DemoStartException;
import io.meshwork.cli.demo.DemoState;
import io.meshwork.cli.demo.TransparentDemo;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * {@code meshwork demo --transparent} in the foreground (or as the detached child): starts a
 * {@link TransparentDemo}, records it in the state directory so that {@code demo status} and
 * {@code demo stop} see it, prints the URLs and waits for Ctrl-C (SIGTERM), whose hook stops
 * everything. Kept apart from {@link DemoCommand} so the mesh-mode flow there stays as it is.
 */
final class TransparentDemoRun {
  private TransparentDemoRun() {}

  static int run(DemoOptions options, DemoState state, boolean detachedChild, boolean verbose) throws InterruptedException {
    if (options.mode() != DemoOptions.Mode.MESH) {
      throw new UserException(2, "--transparent runs the voting app in the mesh (sidecars, mTLS); drop --mode routing");
    }
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
    var out = new PrintStream(System.err, true, java.nio.charset.StandardCharsets.UTF_8);
    var stopped = new CountDownLatch(1);
    var holder = new TransparentDemo[1];
    var hook = new Thread(() -> {
      out.println("demo: stopping...");
      synchronized (holder) {
        if (holder[0] != null) {
          holder[0].close();
        }
      }
      state.read().filter(i -> i.pid() == ProcessHandle.current().pid()).ifPresent(i -> state.clear());
      out.println("demo: stopped");
      stopped.countDown();
    }, "meshwork-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    TransparentDemo demo;
    try {
      demo = TransparentDemo.start(options, out, verbose);
    } catch (DemoStartException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C during start-up
      }
      if (detachedChild) {
        try {
          state.writeFailure(e.getMessage());
        } catch (IOException io) {
          out.println("demo: cannot write " + state.failedFile() + ": " + io.getMessage());
        }
      }
      throw new UserException(1, e.getMessage());
    }
    synchronized (holder) {
      holder[0] = demo;
    }
    if (detachedChild || state.running().isEmpty()) {
      String logFile = detachedChild ? state.logFile().toString() : null;
      demo.onChange(info -> record(state, info, logFile)); // PostgreSQL restarted: its new pid
      record(state, demo.info(), logFile);
    }
    out.println();
    out.println("The voting app is running in transparent mode (a network namespace, capture rules and a sidecar per workload;"
        + " the apps reach redis:6379 and db:5432 by name):");
    out.println("  vote     " + demo.voteUrl() + "   (through the gateway; 90% v1, 10% v2)");
    out.println("  result   " + demo.resultUrl() + "   (through the gateway)");
    out.println("  console  " + demo.consoleUrl());
    out.println("  control  " + demo.controlPlane());
    out.println(detachedChild ? "'./meshwork demo stop' stops everything." : "Ctrl-C stops everything.");
    stopped.await();
    return 0;
  }

  private static void record(DemoState state, DemoInfo info, String logFile) {
    long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    try {
      state.write(info.withProcess(ProcessHandle.current().pid(), started, logFile));
    } catch (IOException e) {
      System.err.println("demo: cannot write " + state.infoFile() + ": " + e.getMessage());
    }
  }
}
