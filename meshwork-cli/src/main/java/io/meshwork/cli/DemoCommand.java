package io.meshwork.cli;

import io.meshwork.cli.demo.DemoOptions;
import io.meshwork.cli.demo.DemoStartException;
import io.meshwork.cli.demo.VotingDemo;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork demo}: the voting app inside the mesh on this machine (local mode), in the
 * foreground until Ctrl-C, which stops everything it started. The work is in {@link VotingDemo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run the voting app inside the mesh on this machine: control plane, Redis, PostgreSQL,",
        "vote v1/v2, worker and result each with a sidecar, an ingress gateway and the console. Ctrl-C stops it."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--control-port", defaultValue = "15014", description = "Control plane REST API port (default ${DEFAULT-VALUE}).")
  int controlPort;

  @Option(names = "--xds-port", defaultValue = "15010", description = "Control plane xDS port (default ${DEFAULT-VALUE}).")
  int xdsPort;

  @Option(names = "--console-port", defaultValue = "20001", description = "Console port (default ${DEFAULT-VALUE}).")
  int consolePort;

  @Option(names = "--ip-prefix", defaultValue = "127.0.1", paramLabel = "A.B.C",
      description = "Loopback addresses of the workloads: A.B.C.1 gateway, .2 vote v1, .3 vote v2, .4 worker, .5 result (default ${DEFAULT-VALUE}).")
  String ipPrefix;

  @Option(names = "--mesh-dir", paramLabel = "DIR", description = "The voting app's mesh YAML (default: samples/voting-app/mesh of this checkout).")
  Path meshDir;

  @Option(names = {"-v", "--verbose"}, description = "Show each proxy's xDS progress.")
  boolean verbose;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (!ipPrefix.matches("127\\.\\d{1,3}\\.\\d{1,3}")) {
      throw new UserException(2, "--ip-prefix " + ipPrefix + ": give the first three octets of a loopback address, e.g. 127.0.1");
    }
    // The control plane logs through java.util.logging: one line per record (time, level, message), as 'meshwork control' does.
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %5$s%6$s%n");
    var dir = meshDir != null ? meshDir : findMeshDir();
    var out = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    var demo = VotingDemo.create(new DemoOptions(ipPrefix, controlPort, xdsPort, consolePort, dir), out, verbose);
    var stopped = new CountDownLatch(1);
    var hook = new Thread(() -> {
      out.println("demo: stopping...");
      demo.close();
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
      throw new UserException(1, e.getMessage());
    }
    out.println();
    out.println("The voting app is running inside the mesh:");
    out.println("  vote     " + demo.voteUrl() + "   (through the gateway; 90% v1, 10% v2)");
    out.println("  result   " + demo.resultUrl() + "   (through the gateway)");
    out.println("  console  " + demo.consoleUrl());
    out.println("  control  " + demo.controlPlane() + "   (try: ./meshwork get virtualservices -A)");
    out.println("Ctrl-C stops everything.");
    stopped.await();
    return 0;
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
}
