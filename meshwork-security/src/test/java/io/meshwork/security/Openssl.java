package io.meshwork.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code openssl} binary so certificates are checked by an independent implementation. */
public final class Openssl {
  private Openssl() {}

  /** The result of one command. */
  public record Result(int exit, String output) {}

  /** Runs {@code openssl args...} in {@code dir}, merging stderr into the output. */
  public static Result run(Path dir, String... args) throws IOException, InterruptedException {
    var cmd = new java.util.ArrayList<String>(List.of("openssl"));
    cmd.addAll(List.of(args));
    var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl did not finish: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }

  /** Runs and fails the test when openssl exits non-zero. */
  public static String ok(Path dir, String... args) throws IOException, InterruptedException {
    var r = run(dir, args);
    if (r.exit() != 0) {
      throw new AssertionError("openssl " + String.join(" ", args) + " failed:\n" + r.output());
    }
    return r.output();
  }
}
