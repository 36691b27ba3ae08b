package io.meshwork.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit code and output. */
final class CliRunner {
  record Result(int exitCode, String out, String err) {}

  private CliRunner() {}

  static Result run(String... args) {
    return runWithStdin("", args);
  }

  static synchronized Result runWithStdin(String stdin, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    InputStream oldIn = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
      return new Result(code, out.toString(), err.toString());
    } finally {
      System.setIn(oldIn);
    }
  }
}
