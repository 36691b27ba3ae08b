package io.meshwork.proxy.capture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where captured connections go, built from xDS with the rest of a configuration (so a push changes
 * it atomically). A proxy in capture mode binds only {@code outboundListener} (15001) and
 * {@code inboundListener} (15006, which keeps virtualInbound's catch-all passthrough chain); the
 * other listeners are {@code internal}: built, never bound, reached by dispatch on the original
 * destination.
 *
 * @param mode how inbound traffic is captured; null: this proxy does not capture
 * @param outboundListener the bound {@code virtualOutbound} (catch-all: Passthrough or BlackHole)
 * @param inboundListener the bound {@code virtualInbound} with its catch-all chain only
 * @param outbound per-service outbound listeners by address ({@code IP:PORT} or {@code 0.0.0.0:PORT})
 * @param inbound virtualInbound's chains by {@code destination_port}, as internal listeners
 * @param internal listeners built but not bound
 * @param originalDstClusters {@code ORIGINAL_DST} clusters: they connect to the original destination
 */
public record CaptureTable(InterceptionMode mode, String outboundListener, String inboundListener,
    Map<InetSocketAddress, String> outbound, Map<Integer, String> inbound, Set<String> internal,
    Set<String> originalDstClusters) {
  /** A proxy that does not capture. */
  public static final CaptureTable NONE = new CaptureTable(null, null, null, Map.of(), Map.of(), Set.of(), Set.of());

  public CaptureTable {
    outbound = Map.copyOf(outbound);
    inbound = Map.copyOf(inbound);
    internal = Set.copyOf(internal);
    originalDstClusters = Set.copyOf(originalDstClusters);
  }

  /** Whether this proxy serves captured traffic. */
  public boolean enabled() {
    return mode != null;
  }

  /**
   * The listener for an outbound connection to {@code destination}: the one at exactly that
   * address, else the {@code 0.0.0.0:PORT} one (Envoy's most-specific-address match); empty: the
   * catch-all of virtualOutbound.
   */
  public Optional<String> outboundFor(InetSocketAddress destination) {
    var exact = outbound.get(new InetSocketAddress(destination.getAddress(), destination.getPort()));
    if (exact != null) {
      return Optional.of(exact);
    }
    return Optional.ofNullable(outbound.get(new InetSocketAddress(ANY, destination.getPort())));
  }

  /** The internal listener for an inbound connection to {@code port}; empty: passthrough to the app. */
  public Optional<String> inboundFor(int port) {
    return Optional.ofNullable(inbound.get(port));
  }

  private static final InetAddress ANY = new InetSocketAddress("0.0.0.0", 0).getAddress();
}
