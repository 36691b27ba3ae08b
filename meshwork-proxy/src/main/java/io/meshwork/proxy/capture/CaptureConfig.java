package io.meshwork.proxy.capture;

import java.util.List;

/**
 * What to capture and where to send it; the defaults are Istio's sidecar defaults.
 *
 * @param mode inbound interception mode (outbound is always a nat REDIRECT)
 * @param outboundPort where captured outbound connections go (Istio's 15001)
 * @param inboundPort where captured inbound connections go (Istio's 15006)
 * @param proxyUids users whose traffic is never captured (the proxy runs as one of them, 1337)
 * @param proxyGids groups whose traffic is never captured (1337)
 * @param inboundPorts inbound ports to capture: {@code *} (default), none, or a list
 * @param excludeInboundPorts inbound ports never captured, added to {@code ownPorts}
 * @param ownPorts the proxy's own ports (admin 15000, agent 15020, health 15021, Prometheus
 *     15090), never captured inbound so that probes and scrapes reach the proxy itself
 * @param includeOutboundCidrs outbound destinations to capture: {@code *} (default), none, or a list
 * @param excludeOutboundCidrs outbound destinations never captured
 * @param includeOutboundPorts outbound ports captured whatever the destination address
 * @param excludeOutboundPorts outbound ports never captured
 * @param mark the firewall mark of TPROXY mode (1337)
 * @param routeTable the policy routing table of TPROXY mode (133)
 */
public record CaptureConfig(
    InterceptionMode mode,
    int outboundPort,
    int inboundPort,
    List<String> proxyUids,
    List<String> proxyGids,
    PortSelection inboundPorts,
    List<Integer> excludeInboundPorts,
    List<Integer> ownPorts,
    CidrSelection includeOutboundCidrs,
    List<String> excludeOutboundCidrs,
    List<Integer> includeOutboundPorts,
    List<Integer> excludeOutboundPorts,
    int mark,
    int routeTable) {

  /** The address the proxy binds when it passes inbound traffic on to the app (REDIRECT mode). */
  public static final String INBOUND_PASSTHROUGH_SOURCE = "127.0.0.6/32";

  public CaptureConfig {
    proxyUids = List.copyOf(proxyUids);
    proxyGids = List.copyOf(proxyGids);
    excludeInboundPorts = List.copyOf(excludeInboundPorts);
    ownPorts = List.copyOf(ownPorts);
    excludeOutboundCidrs = List.copyOf(excludeOutboundCidrs);
    includeOutboundPorts = List.copyOf(includeOutboundPorts);
    excludeOutboundPorts = List.copyOf(excludeOutboundPorts);
    checkPort("--proxy-port", outboundPort);
    checkPort("--inbound-capture-port", inboundPort);
    if (outboundPort == inboundPort) {
      throw new IllegalArgumentException("--proxy-port and --inbound-capture-port are both " + inboundPort + "; give them different ports");
    }
    for (var id : proxyUids) {
      checkId("--proxy-uid", id);
    }
    for (var id : proxyGids) {
      checkId("--proxy-gid", id);
    }
    if (proxyUids.isEmpty() && proxyGids.isEmpty()) {
      throw new IllegalArgumentException("--proxy-uid and --proxy-gid are both empty; the proxy's own traffic would be captured in a loop, so give at least one");
    }
    if (mark <= 0 || mark == 1338) {
      throw new IllegalArgumentException("--mark must be a positive number other than 1338 (used for the proxy's calls to its own pod), not " + mark);
    }
    if (routeTable <= 0 || routeTable == 253 || routeTable == 254 || routeTable == 255) {
      throw new IllegalArgumentException("--route-table " + routeTable + " is reserved or invalid; use a number like 133");
    }
  }

  public static CaptureConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void checkPort(String option, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(option + " " + port + " is out of range; use 1-65535");
    }
  }

  private static void checkId(String option, String id) {
    if (!id.matches("[0-9]+|[a-z_][a-z0-9_-]*")) {
      throw new IllegalArgumentException(option + ": '" + id + "' is neither a number nor a user/group name");
    }
  }

  /** Builds a {@link CaptureConfig} from Istio's defaults. */
  public static final class Builder {
    private InterceptionMode mode = InterceptionMode.REDIRECT;
    private int outboundPort = 15001;
    private int inboundPort = 15006;
    private List<String> proxyUids = List.of("1337");
    private List<String> proxyGids = List.of("1337");
    private PortSelection inboundPorts = PortSelection.ALL;
    private List<Integer> excludeInboundPorts = List.of();
    private List<Integer> ownPorts = List.of(15000, 15020, 15021, 15090);
    private CidrSelection includeOutboundCidrs = CidrSelection.ALL;
    private List<String> excludeOutboundCidrs = List.of();
    private List<Integer> includeOutboundPorts = List.of();
    private List<Integer> excludeOutboundPorts = List.of();
    private int mark = 1337;
    private int routeTable = 133;

    Builder() {}

    public Builder mode(InterceptionMode v) { mode = v; return this; }
    public Builder outboundPort(int v) { outboundPort = v; return this; }
    public Builder inboundPort(int v) { inboundPort = v; return this; }
    public Builder proxyUids(List<String> v) { proxyUids = v; return this; }
    public Builder proxyGids(List<String> v) { proxyGids = v; return this; }
    public Builder inboundPorts(PortSelection v) { inboundPorts = v; return this; }
    public Builder excludeInboundPorts(List<Integer> v) { excludeInboundPorts = v; return this; }
    public Builder ownPorts(List<Integer> v) { ownPorts = v; return this; }
    public Builder includeOutboundCidrs(CidrSelection v) { includeOutboundCidrs = v; return this; }
    public Builder excludeOutboundCidrs(List<String> v) { excludeOutboundCidrs = v; return this; }
    public Builder includeOutboundPorts(List<Integer> v) { includeOutboundPorts = v; return this; }
    public Builder excludeOutboundPorts(List<Integer> v) { excludeOutboundPorts = v; return this; }
    public Builder mark(int v) { mark = v; return this; }
    public Builder routeTable(int v) { routeTable = v; return this; }

    public CaptureConfig build() {
      return new CaptureConfig(mode, outboundPort, inboundPort, proxyUids, proxyGids, inboundPorts,
          excludeInboundPorts, ownPorts, includeOutboundCidrs, excludeOutboundCidrs,
          includeOutboundPorts, excludeOutboundPorts, mark, routeTable);
    }
  }
}
