package io.meshwork.proxy.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code iptables-restore}, {@code iptables-save} and {@code ip}. An interface so that the
 * same installer works on the host, inside a network namespace ({@code ip netns exec NAME ...}),
 * and against a recording fake in tests.
 */
@FunctionalInterface
public interface CommandRunner {

  /** The outcome of one command. */
  record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code argv} with {@code stdin} as its standard input (empty for none). */
  Result run(List<String> argv, String stdin) throws IOException;

  /** Runs commands in this process's network namespace. */
  static CommandRunner local() {
    return CommandRunner::exec;
  }

  /** Runs commands inside the named network namespace, via {@code ip netns exec}. */
  static CommandRunner inNamespace(String netns) {
    return (argv, stdin) -> {
      var full = new ArrayList<String>(List.of("ip", "netns", "exec", netns));
      full.addAll(argv);
      return exec(full, stdin);
    };
  }

  private static Result exec(List<String> argv, String stdin) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new IOException(argv.getFirst() + " could not be started (" + e.getMessage() + "); install it (Debian: apt-get install iptables iproute2)", e);
    }
    var out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), Thread::startVirtualThread);
    var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), Thread::startVirtualThread);
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // the command exited without reading its input; its exit code says why
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + " did not finish within 60 s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + argv.getFirst(), e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
