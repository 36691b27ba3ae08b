package io.meshwork.kubernetes.inject;

import io.meshwork.kubernetes.install.InstallOptions;

/**
 * What the injector needs to know about the installation and the cluster.
 *
 * @param proxyImage image of the proxy and of the init container (both run {@code meshwork})
 * @param xdsAddress the control plane's xDS address as pods see it
 * @param caAddress the control plane's CA address (15012), for the proxy's certificate agent
 * @param nativeSidecars whether the cluster runs init containers with {@code restartPolicy: Always}
 *     as sidecars (Kubernetes 1.29 and later)
 * @param tokenAudience audience of the projected ServiceAccount token the CA reviews
 * @param trustDomain the CA's SPIFFE trust domain, passed to every proxy so it asks for that one
 */
public record InjectorConfig(String proxyImage, String xdsAddress, String caAddress, boolean nativeSidecars, String tokenAudience,
    String trustDomain) {
  /** The first Kubernetes minor version (1.x) where native sidecars are on by default. */
  public static final int NATIVE_SIDECAR_MINOR = 29;

  /** The injector of a mesh in the default trust domain ({@code cluster.local}). */
  public static InjectorConfig of(InstallOptions o, int clusterMinorVersion) {
    return of(o, clusterMinorVersion, io.meshwork.security.identity.SpiffeId.DEFAULT_TRUST_DOMAIN);
  }

  public static InjectorConfig of(InstallOptions o, int clusterMinorVersion, String trustDomain) {
    return new InjectorConfig(o.proxyImage(), o.xdsAddress(), o.caAddress(),
        clusterMinorVersion >= NATIVE_SIDECAR_MINOR, io.meshwork.security.ca.ServiceAccountTokenVerifier.DEFAULT_AUDIENCE, trustDomain);
  }
}
