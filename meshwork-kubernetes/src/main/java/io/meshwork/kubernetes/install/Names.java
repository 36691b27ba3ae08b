package io.meshwork.kubernetes.install;

/** Names shared by the manifests, the control plane and the injector, so they cannot drift apart. */
public final class Names {
  private Names() {}

  public static final String CONTROL = "meshwork-control";
  public static final String CONSOLE = "meshwork-console";
  public static final String GATEWAY = "meshwork-ingressgateway";
  public static final String INJECTOR_WEBHOOK = "meshwork-sidecar-injector";
  public static final String VALIDATOR_WEBHOOK = "meshwork-validator";
  /** The Secret holding the CA root every replica signs with. */
  public static final String CA_SECRET = "meshwork-ca-secret";
  /**
   * The ConfigMap with the mesh root ({@code root-cert.pem}) the control plane keeps in every
   * namespace for injected proxies to mount (Istio's {@code istio-ca-root-cert}).
   */
  public static final String ROOT_CERT_CONFIGMAP = "meshwork-ca-root-cert";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MESHWORK = "meshwork";
  /** Webhook port inside the control plane pod (Istio's 15017); the Service exposes it on 443. */
  public static final int WEBHOOK_PORT = 15017;
  public static final String INJECT_PATH = "/inject";
  public static final String VALIDATE_PATH = "/validate";
}
