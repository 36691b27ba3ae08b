package io.meshwork.kubernetes.install;

/**
 * What an installation may vary: where images come from and the namespace of the control plane.
 *
 * @param hub image registry and repository prefix ({@code ghcr.io/meshwork}); images are
 *     {@code HUB/meshwork-control:TAG}, {@code HUB/meshwork-proxy:TAG}, {@code HUB/meshwork-console:TAG}
 * @param tag image tag
 * @param namespace where the control plane, console and gateway run
 * @param controlReplicas control plane replicas (each serves xDS; they share the CA key through a Secret)
 */
public record InstallOptions(String hub, String tag, String namespace, int controlReplicas) {
  public static final String DEFAULT_HUB = "ghcr.io/meshwork";
  public static final String DEFAULT_TAG = "0.1.0";
  public static final String DEFAULT_NAMESPACE = "meshwork-system";

  public static InstallOptions defaults() {
    return new InstallOptions(DEFAULT_HUB, DEFAULT_TAG, DEFAULT_NAMESPACE, 2);
  }

  public InstallOptions withImages(String h, String t) {
    return new InstallOptions(h, t, namespace, controlReplicas);
  }

  public String image(String component) {
    return hub + "/" + component + ":" + tag;
  }

  public String controlImage() {
    return image("meshwork-control");
  }

  public String proxyImage() {
    return image("meshwork-proxy");
  }

  public String consoleImage() {
    return image("meshwork-console");
  }

  /** The control plane's CA (IstioCertificateService) address as pods see it. */
  public String caAddress() {
    return Names.CONTROL + "." + namespace + ".svc:15012";
  }

  /** The control plane's xDS address as pods see it. */
  public String xdsAddress() {
    return Names.CONTROL + "." + namespace + ".svc:15010";
  }
}
