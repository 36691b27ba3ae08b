package io.meshwork.console.control;

import io.meshwork.console.metrics.TargetSource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Scrape targets from the control plane: every connected proxy's {@code prometheus} address
 * ({@code /debug/targets}: the node metadata {@code PROMETHEUS_ADDRESS}, else {@code ADMIN_ADDRESS})
 * as {@code http://ADDR/stats/prometheus}. A wildcard host ({@code 0.0.0.0}) is replaced by the
 * proxy's first IP. While the control plane is unreachable the last list is kept, so a control
 * plane restart does not blank the graph.
 */
public final class ControlPlaneTargets implements TargetSource {
  private static final Logger LOG = Logger.getLogger(ControlPlaneTargets.class.getName());
  private final ControlPlaneClient client;
  private volatile List<URI> last = List.of();
  private volatile String lastError = "";

  public ControlPlaneTargets(ControlPlaneClient client) {
    this.client = client;
  }

  @Override
  public List<URI> targets() {
    try {
      var out = new ArrayList<URI>();
      for (var p : client.getJson("/debug/targets")) {
        var addr = p.path("prometheus").asText("");
        if (addr.isEmpty() || addr.equals("null")) {
          continue;
        }
        int colon = addr.lastIndexOf(':');
        var host = colon > 0 ? addr.substring(0, colon) : addr;
        if ((host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) && p.path("ips").size() > 0) {
          host = p.path("ips").get(0).asText();
        }
        var hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        out.add(URI.create("http://" + hostPart + addr.substring(colon) + "/stats/prometheus"));
      }
      last = List.copyOf(out);
      lastError = "";
    } catch (Exception e) {
      if (!e.getMessage().equals(lastError)) {
        LOG.warning("metrics targets: " + e.getMessage() + "; keeping the last " + last.size() + " target(s)");
      }
      lastError = String.valueOf(e.getMessage());
    }
    return last;
  }

  /** The last error reaching the control plane, empty when the last round worked. */
  public String lastError() {
    return lastError;
  }
}
