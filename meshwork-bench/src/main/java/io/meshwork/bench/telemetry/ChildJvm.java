package io.meshwork.bench.telemetry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A helper JVM of the telemetry benchmark (the span collector, a sidecar proxy), on this JVM's class
 * path. Protocol: the child prints {@code port N} when it serves and stops when its standard input
 * closes; what it prints after that is handed to {@link #stop}'s reader.
 */
final class ChildJvm {
  final Process process;
  final int port;
  private final BufferedReader out;

  private ChildJvm(Process process, BufferedReader out, int port) {
    this.process = process;
    this.out = out;
    this.port = port;
  }

  /**
   * Starts {@code main} with {@code args} under {@code jvmFlags}, the command prefixed by {@code
   * prefix} (e.g. {@code nice -n 19}); {@code what} names it in the error when it does not start.
   */
  static ChildJvm start(String what, List<String> prefix, List<String> jvmFlags, Class<?> main, List<String> args)
      throws IOException {
    var java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(java);
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(args);
    var p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null || !line.startsWith("port ")) {
      p.destroyForcibly();
      throw new IOException(what + " did not start (it printed " + line + ")");
    }
    return new ChildJvm(p, in, Integer.parseInt(line.substring(5).trim()));
  }

  /** Closes the child's input, hands each line it prints until it exits to {@code lines}, and waits up to {@code seconds}. */
  void stop(Consumer<String> lines, int seconds) throws IOException {
    process.getOutputStream().close();
    try {
      for (String line; (line = out.readLine()) != null; ) {
        lines.accept(line);
      }
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
