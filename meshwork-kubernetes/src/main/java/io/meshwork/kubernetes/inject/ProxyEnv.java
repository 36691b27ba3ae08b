package io.meshwork.kubernetes.inject;

/**
 * The contract between the injector and {@code meshwork proxy}: the environment variables the
 * injected proxy container gets, and where the volumes they point into are mounted. The proxy
 * command reads the same constants, so the two cannot drift apart silently (a test renders an
 * injected pod and starts the proxy's parser with its environment).
 */
public final class ProxyEnv {
  private ProxyEnv() {}

  /** The projected ServiceAccount token (audience {@code istio-ca}) the proxy presents to the CA. */
  public static final String TOKEN_FILE = "MESHWORK_TOKEN_FILE";
  /** The CA's {@code host:port} ({@code meshwork-control.NS.svc:15012}). */
  public static final String CA_ADDRESS = "MESHWORK_CA_ADDRESS";
  /** The mesh root PEM that verifies the CA before the token is sent. */
  public static final String CA_ROOT = "MESHWORK_CA_ROOT";
  /**
   * The SPIFFE trust domain the proxy asks its certificate for; the CA refuses any other, so it
   * must be the control plane's {@code --trust-domain} ({@code cluster.local} when unset).
   */
  public static final String TRUST_DOMAIN = "MESHWORK_TRUST_DOMAIN";

  /** Where the projected token volume is mounted, and the token's file name in it. */
  public static final String TOKEN_DIR = "/var/run/secrets/tokens";
  public static final String TOKEN_PATH = "istio-token";
  /** Where the root ConfigMap is mounted (Istio mounts istio-ca-root-cert at /var/run/secrets/istio). */
  public static final String ROOT_DIR = "/var/run/secrets/meshwork";
  /** The ConfigMap key (and file name) of the root, as in Istio's {@code istio-ca-root-cert}. */
  public static final String ROOT_KEY = "root-cert.pem";
}
