package io.meshwork.cli.demo;

import java.nio.file.Path;

/**
 * Where the demo listens. The defaults are the documented ports; tests pass free ones and another
 * loopback prefix so a demo already running on this machine does not get in the way.
 *
 * @param ipPrefix the first three octets of the workloads' loopback addresses ({@code 127.0.1}):
 *     gateway {@code .1}, vote v1 {@code .2}, vote v2 {@code .3}, worker {@code .4}, result {@code .5}
 * @param meshDir the voting app's mesh YAML ({@code samples/voting-app/mesh})
 */
public record DemoOptions(String ipPrefix, int controlPort, int xdsPort, int consolePort, Path meshDir) {
  /** The host every control-plane and console port is on. */
  public static final String HOST = "127.0.0.1";

  /** The address of workload number {@code n} (1 = gateway). */
  public String ip(int n) {
    return ipPrefix + "." + n;
  }
}
