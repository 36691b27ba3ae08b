package io.meshwork.cli.demo;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * What a running demo tells the world: its URLs (the JSON {@code --detach} prints and
 * {@code demo.json} in the state directory holds), the demo JVM's process id and start time (so a
 * recycled pid is not mistaken for it), the pids of the processes it started (redis-server,
 * postgres) and where each component can be probed for {@code meshwork demo status}.
 *
 * @param traces the console's trace view
 * @param controlPlane the control plane's REST API (mesh mode; null in routing mode)
 * @param routingMesh the routing mesh's admin interface (routing mode; null in mesh mode)
 * @param pids process ids by component: {@code demo} (the JVM), {@code redis}, {@code postgres}
 * @param probes component name to {@code http://...} (answers 200 when healthy) or {@code tcp://host:port}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DemoInfo(String vote, String result, String console, String traces, String controlPlane, String routingMesh,
    String mode, long pid, long startedAt, String log, Map<String, Long> pids, Map<String, String> probes) {

  /** The same information with the demo JVM's identity and log filled in. */
  public DemoInfo withProcess(long pid, long startedAt, String log) {
    return new DemoInfo(vote, result, console, traces, controlPlane, routingMesh, mode, pid, startedAt, log, pids, probes);
  }
}
