package io.meshwork.config.kube;

import io.meshwork.config.Kind;
import java.util.List;

/** The Kubernetes built-in kinds the registry reads from manifests (Service, ServiceAccount, Deployment, Pod, Namespace) and Secrets for gateway certificates. */
public final class KubeKinds {
  private KubeKinds() {}

  private static final List<String> V1 = List.of("v1");

  public static final Kind SERVICE =
      new Kind("", "Service", "services", V1, ServiceSpec.class, false, true, Kind.Support.SUPPORTED, Kind.Shape.KUBE_SPEC);
  public static final Kind SERVICE_ACCOUNT =
      new Kind("", "ServiceAccount", "serviceaccounts", V1, ServiceAccount.class, false, true, Kind.Support.SUPPORTED, Kind.Shape.KUBE_TOP_LEVEL);
  public static final Kind DEPLOYMENT =
      new Kind("apps", "Deployment", "deployments", V1, DeploymentSpec.class, false, true, Kind.Support.SUPPORTED, Kind.Shape.KUBE_SPEC);
  public static final Kind POD =
      new Kind("", "Pod", "pods", V1, Pod.class, true, true, Kind.Support.SUPPORTED, Kind.Shape.KUBE_TOP_LEVEL);
  public static final Kind NAMESPACE =
      new Kind("", "Namespace", "namespaces", V1, NamespaceSpec.class, false, false, Kind.Support.SUPPORTED, Kind.Shape.KUBE_SPEC);

  /** TLS certificates for gateways ({@code tls.credentialName}); served over SDS, never echoed. */
  public static final Kind SECRET =
      new Kind("", "Secret", "secrets", V1, Secret.class, false, true, Kind.Support.SUPPORTED, Kind.Shape.KUBE_TOP_LEVEL);

  public static final List<Kind> ALL = List.of(SERVICE, SERVICE_ACCOUNT, DEPLOYMENT, POD, NAMESPACE, SECRET);
}
