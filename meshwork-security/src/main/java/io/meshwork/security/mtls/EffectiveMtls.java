package io.meshwork.security.mtls;

import io.meshwork.config.security.PeerAuthentication.Mode;
import java.util.Map;

/**
 * The resolved mutual TLS settings of one workload: a mode for all ports and overrides by
 * workload port. Never {@link Mode#UNSET}.
 *
 * @param mode the mode of ports without an override
 * @param ports overrides by port number
 * @param source {@code namespace/name} of the policies that decided, for diagnostics
 */
public record EffectiveMtls(Mode mode, Map<Integer, Mode> ports, String source) {
  public EffectiveMtls {
    ports = Map.copyOf(ports);
  }

  /** The mode of {@code port}. */
  public Mode mode(int port) {
    return ports.getOrDefault(port, mode);
  }
}
