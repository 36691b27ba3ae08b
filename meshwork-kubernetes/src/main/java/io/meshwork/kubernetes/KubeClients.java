package io.meshwork.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Kubernetes client the way kubectl finds its cluster: an explicit kubeconfig file, else
 * {@code $KUBECONFIG} / {@code ~/.kube/config}, else the pod's in-cluster ServiceAccount.
 */
public final class KubeClients {
  private KubeClients() {}

  /**
   * A client for {@code kubeconfig} (null: automatic configuration).
   *
   * @throws IOException when the kubeconfig file cannot be read
   */
  public static KubernetesClient create(Path kubeconfig) throws IOException {
    Config config;
    if (kubeconfig == null) {
      config = Config.autoConfigure(null);
    } else {
      if (!Files.isReadable(kubeconfig)) {
        throw new IOException("--kubeconfig " + kubeconfig + ": file not found or not readable; give the path of a kubeconfig file");
      }
      config = Config.fromKubeconfig(Files.readString(kubeconfig));
    }
    // fabric8 retries a failed request 10 times with exponential backoff (minutes against a dead server);
    // two retries ride out a blip and still let a wrong kubeconfig fail within seconds.
    config.setRequestRetryBackoffLimit(2);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The cluster's minor version (29 for 1.29), or -1 when the server does not say. */
  public static int minorVersion(KubernetesClient client) {
    io.fabric8.kubernetes.client.VersionInfo v;
    try {
      v = client.getKubernetesVersion();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return -1;
    }
    if (v == null || v.getMinor() == null) {
      return -1;
    }
    var digits = v.getMinor().replaceAll("[^0-9].*$", "");
    return digits.isEmpty() ? -1 : Integer.parseInt(digits);
  }
}
