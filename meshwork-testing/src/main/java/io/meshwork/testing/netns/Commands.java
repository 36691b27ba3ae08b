package io.meshwork.testing.netns;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs short system commands ({@code ip}, {@code iptables-save}, ...) with a time limit. */
final class Commands {
  private Commands() {}

  /** The outcome of one command. */
  record Result(int exitCode, String stdout, String stderr) {
    ExecResult toExec() {
      return new ExecResult(exitCode, stdout, stderr);
    }

    boolean ok() {
      return exitCode == 0;
    }
  }

  static Result run(List<String> argv, String stdin, Duration timeout) {
    Process p;
    try {
      p = new ProcessBuilder(argv).start();
    } catch (IOException e) {
      throw new UncheckedIOException(argv.getFirst() + " could not be started; install iproute2 and util-linux", e);
    }
    var out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), Thread::startVirtualThread);
    var err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), Thread::startVirtualThread);
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // exited without reading; the exit code tells
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + argv.getFirst(), e);
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  static Result run(String... argv) {
    return run(List.of(argv), "", Duration.ofSeconds(30));
  }

  /** Runs and fails with the command and its error output when it exits non-zero. */
  static String check(String... argv) {
    var r = run(argv);
    if (!r.ok()) {
      throw new IllegalStateException(String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
    }
    return r.stdout();
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
