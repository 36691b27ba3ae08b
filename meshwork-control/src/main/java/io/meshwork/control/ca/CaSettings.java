package io.meshwork.control.ca;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How the control plane runs its certificate authority.
 *
 * @param stateDir where a self-signed root and the join token store are kept ({@code 0700});
 *     required (the join token store lives here even with a plug-in CA)
 * @param port the gRPC port of {@code IstioCertificateService} (15012; 0 picks a free port)
 * @param trustDomain the SPIFFE trust domain ({@code cluster.local})
 * @param caCert plug-in CA signing certificate ({@code --ca-cert}), or null for a self-signed root
 * @param caKey plug-in CA key ({@code --ca-key})
 * @param caChain plug-in chain ({@code --ca-chain}), may be null
 * @param rootCert plug-in root ({@code --root-cert})
 * @param serverNames extra DNS names and IPs for the serving certificate (the bind address,
 *     {@code localhost} and {@code 127.0.0.1} are always included)
 */
public record CaSettings(Path stateDir, int port, String trustDomain, Path caCert, Path caKey, Path caChain, Path rootCert,
    List<String> serverNames) {
  public CaSettings {
    serverNames = List.copyOf(serverNames);
    trustDomain = trustDomain == null || trustDomain.isBlank() ? "cluster.local" : trustDomain;
  }

  /** A self-signed CA kept under {@code stateDir}, on {@code port}. */
  public static CaSettings selfSigned(Path stateDir, int port) {
    return new CaSettings(stateDir, port, "cluster.local", null, null, null, null, List.of());
  }

  /** Whether the operator plugged in a CA ({@code --ca-cert} and friends). */
  public boolean plugIn() {
    return caCert != null || caKey != null || rootCert != null;
  }

  /** How long the serving certificate of port 15012 lives; renewed on each start. */
  static final Duration SERVING_TTL = Duration.ofDays(365);
}
