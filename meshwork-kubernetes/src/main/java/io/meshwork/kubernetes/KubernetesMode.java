package io.meshwork.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.ca.CaSource;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.kubernetes.ca.KubeTokenReviewer;
import io.meshwork.kubernetes.ca.RootCertPublisher;
import io.meshwork.kubernetes.ca.SharedCaSecret;
import io.meshwork.kubernetes.inject.InjectorConfig;
import io.meshwork.kubernetes.inject.SidecarInjector;
import io.meshwork.kubernetes.install.InstallOptions;
import io.meshwork.kubernetes.install.Names;
import io.meshwork.kubernetes.sync.KubeConfigSync;
import io.meshwork.kubernetes.webhook.AdmissionHandler;
import io.meshwork.kubernetes.webhook.CaBundles;
import io.meshwork.kubernetes.webhook.WebhookCerts;
import io.meshwork.kubernetes.webhook.WebhookServer;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.IdentityVerifier;
import io.meshwork.security.ca.ServiceAccountTokenVerifier;
import io.meshwork.security.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code meshwork control --kubernetes}: what a control plane replica adds to the local control
 * plane when it runs in a cluster. In start order: informers fill the store (the xDS server then
 * serves from the cluster's state like from any other source); the CA root is read from, or
 * created in, the shared Secret; the webhook certificate is issued from it and the webhook
 * configurations' {@code caBundle} set to the root; the root is published to every namespace as a
 * ConfigMap; the webhook server starts. As a {@link CaSource} it hands the control plane's
 * certificate service (15012) the shared root and ServiceAccount-token authentication: a pod gets a
 * certificate only for the namespace and ServiceAccount its token belongs to, and join tokens are
 * not accepted (their store would be local to one replica).
 */
public final class KubernetesMode implements AutoCloseable, CaSource {
  private final KubernetesClient client;
  private final KubeConfigSync sync;
  private final CertificateAuthority ca;
  private final IdentityVerifier verifier;
  private final WebhookServer webhooks;
  private final RootCertPublisher roots;

  /**
   * @param kubeconfig null: in-cluster or ~/.kube/config
   * @param namespace the control plane's namespace (where the CA Secret lives)
   * @param stateDir where the CA root is materialized (an emptyDir in the pod)
   */
  public record Options(Path kubeconfig, InstallOptions install, String namespace, String host, int webhookPort, Path stateDir,
      CaOptions ca, Duration syncTimeout) {}

  private KubernetesMode(KubernetesClient client, KubeConfigSync sync, CertificateAuthority ca, IdentityVerifier verifier,
      WebhookServer webhooks, RootCertPublisher roots) {
    this.client = client;
    this.roots = roots;
    this.sync = sync;
    this.ca = ca;
    this.verifier = verifier;
    this.webhooks = webhooks;
  }

  public static KubernetesMode start(ConfigStore store, Options o, Consumer<String> progress) throws IOException {
    var client = KubeClients.create(o.kubeconfig());
    KubeConfigSync sync = null;
    try {
      try {
        client.namespaces().withName(o.namespace()).get(); // fail fast, with one sentence, when the API server is unreachable
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        throw new IOException("the Kubernetes API server " + client.getMasterUrl() + " cannot be reached or refused the request"
            + (e.getCode() > 0 ? " (HTTP " + e.getCode() + ")" : "") + "; check --kubeconfig and the meshwork-control RBAC", e);
      }
      progress.accept("watching the cluster at " + client.getMasterUrl());
      sync = new KubeConfigSync(client, store).start(o.syncTimeout());
      progress.accept("informers synced: " + store.snapshot().resources().size() + " resource(s) from the cluster");
      var ca = SharedCaSecret.load(client, o.namespace(), o.stateDir(), o.ca(), Clock.systemUTC());
      progress.accept("CA root from Secret " + o.namespace() + "/" + Names.CA_SECRET + ": " + ca.root().getSubjectX500Principal());
      var verifier = new ServiceAccountTokenVerifier(new KubeTokenReviewer(client), o.ca().trustDomain(),
          List.of(ServiceAccountTokenVerifier.DEFAULT_AUDIENCE));
      var rootKey = Pem.privateKey(Files.readString(o.stateDir().resolve("root-key.pem")));
      var serving = WebhookCerts.issue(rootKey, ca.root(), serviceNames(o.namespace()), Duration.ofDays(365));
      int minor = KubeClients.minorVersion(client);
      var injector = new SidecarInjector(InjectorConfig.of(o.install(), minor, o.ca().trustDomain()));
      var handler = new AdmissionHandler(injector, ns -> namespaceLabels(store, ns));
      var webhooks = WebhookServer.start(o.host(), o.webhookPort(), serving.sslContext(), handler);
      progress.accept("admission webhooks on https://" + o.host() + ":" + webhooks.port() + " (/inject, /validate); "
          + (minor >= InjectorConfig.NATIVE_SIDECAR_MINOR ? "native sidecars" : "sidecar as first container") + " (Kubernetes 1." + minor + ")");
      CaBundles.set(client, Pem.encode(ca.root()), progress);
      var roots = RootCertPublisher.start(client, Pem.encode(ca.root()));
      progress.accept("mesh root published to every namespace as ConfigMap " + Names.ROOT_CERT_CONFIGMAP);
      return new KubernetesMode(client, sync, ca, verifier, webhooks, roots);
    } catch (IOException | RuntimeException e) {
      if (sync != null) {
        sync.close();
      }
      client.close();
      throw e;
    }
  }

  /**
   * The control plane Service's DNS names in {@code namespace}: the webhook's serving certificate
   * and the CA's (15012) carry them, since pods and the API server connect by these names.
   */
  public static List<String> serviceNames(String namespace) {
    var svc = Names.CONTROL + "." + namespace;
    return List.of(svc + ".svc", svc + ".svc.cluster.local", svc, Names.CONTROL);
  }

  static Map<String, String> namespaceLabels(ConfigStore store, String ns) {
    var r = store.snapshot().get(new ResourceKey("", "Namespace", "", ns));
    return r == null ? Map.of() : r.metadata().labels();
  }

  public KubeConfigSync sync() {
    return sync;
  }

  /** The CA every replica signs with (for the CA service on 15012). */
  public CertificateAuthority certificateAuthority() {
    return ca;
  }

  /** Verifies pods' projected ServiceAccount tokens through TokenReview (for the CA service). */
  public IdentityVerifier identityVerifier() {
    return verifier;
  }

  @Override
  public CertificateAuthority authority() {
    return ca;
  }

  @Override
  public IdentityVerifier callers() {
    return verifier;
  }

  @Override
  public String describe() {
    return "ServiceAccount tokens for audience " + ServiceAccountTokenVerifier.DEFAULT_AUDIENCE + " (TokenReview)";
  }

  public int webhookPort() {
    return webhooks.port();
  }

  @Override
  public void close() {
    roots.close();
    webhooks.close();
    sync.close();
    client.close();
  }
}
