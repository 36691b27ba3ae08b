package io.meshwork.testing.netns;

/**
 * The outcome of a command run in a pod or on the host.
 *
 * @param exitCode the process exit code
 * @param stdout standard output, UTF-8
 * @param stderr standard error, UTF-8
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
  public boolean ok() {
    return exitCode == 0;
  }
}
