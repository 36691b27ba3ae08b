package io.meshwork.cli.demo;

import java.nio.file.Path;

/**
 * Where and how the demo runs. The defaults are the documented ports; tests pass free ones and
 * another loopback prefix so a demo already running on this machine does not get in the way.
 *
 * @param ipPrefix the first three octets of the workloads' loopback addresses ({@code 127.0.1}):
 *     gateway {@code .1}, vote v1 {@code .2}, vote v2 {@code .3}, worker {@code .4}, result {@code .5};
 *     in routing mode also the virtual addresses of redis {@code .6} and db {@code .7}
 * @param meshDir the voting app's mesh YAML ({@code samples/voting-app/mesh})
 * @param mode the Istio-style mesh (sidecars, control plane) or the L4 routing mesh
 * @param trafficRps requests per second of the built-in traffic generator; 0 turns it off
 * @param stateDir the demo's state directory, where the mesh mode keeps its CA and the workloads'
 *     join tokens (0600) while it runs; null: a temporary directory
 * @param postgresRestartSeconds how long after PostgreSQL died the demo starts it again, as a
 *     restart policy's back-off would ({@value #POSTGRES_RESTART_SECONDS} s; tests that kill it
 *     under load ask for longer, so that their votes are surely cast while it is down)
 */
public record DemoOptions(String ipPrefix, int controlPort, int xdsPort, int consolePort, Path meshDir, Mode mode, double trafficRps,
    Path stateDir, int postgresRestartSeconds) {
  /** The default restart delay of PostgreSQL. */
  public static final int POSTGRES_RESTART_SECONDS = 3;

  /** The host every control-plane and console port is on. */
  public static final String HOST = "127.0.0.1";

  /** Which mesh carries the voting app. */
  public enum Mode {
    /** Sidecars configured over xDS from the mesh YAML, an ingress gateway, the control plane. */
    MESH,
    /** One L4 proxy: a virtual address per service, round robin over replicas, nothing else. */
    ROUTING
  }

  /** The mesh mode without the traffic generator (what most tests want: exact vote counts). */
  public DemoOptions(String ipPrefix, int controlPort, int xdsPort, int consolePort, Path meshDir) {
    this(ipPrefix, controlPort, xdsPort, consolePort, meshDir, Mode.MESH, 0, null, POSTGRES_RESTART_SECONDS);
  }

  /** Without a state directory (identities go to a temporary directory). */
  public DemoOptions(String ipPrefix, int controlPort, int xdsPort, int consolePort, Path meshDir, Mode mode, double trafficRps) {
    this(ipPrefix, controlPort, xdsPort, consolePort, meshDir, mode, trafficRps, null, POSTGRES_RESTART_SECONDS);
  }

  /** The address of workload number {@code n} (1 = gateway). */
  public String ip(int n) {
    return ipPrefix + "." + n;
  }
}
