package io.meshwork.control.xds;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.xds.client.NodeInfo;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SDS over ADS for gateway certificates, as istiod serves them: a Gateway server's
 * {@code tls.credentialName: NAME} becomes the secret {@code kubernetes://NAME} (its
 * {@code tls.crt}/{@code tls.key}, else Istio's generic {@code cert}/{@code key}) and, for MUTUAL,
 * {@code kubernetes://NAME-cacert} (the {@code cacert} or {@code ca.crt} of a Secret named
 * {@code NAME-cacert} if there is one, else of {@code NAME}). A deleted Secret is no longer served:
 * delta ADS sends its name in {@code removed_resources}, and state-of-the-world responses for SDS
 * carry every subscribed secret that exists ({@link ProxyConnection}), so the proxy drops it. A
 * secret is served only to a gateway proxy whose own listeners name it, and only from a Secret in
 * the gateway's namespace: Istio authorizes credential reads by namespace, so a Gateway in one namespace cannot obtain another namespace's private key. Secrets are built from the
 * store on every push, so replacing the Secret rotates the certificate without touching listeners.
 */
final class GatewaySecrets {
  /** The SDS type URL. */
  static final String TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  static final String PREFIX = "kubernetes://";
  static final String CA_SUFFIX = "-cacert";

  private GatewaySecrets() {}

  /** The secrets {@code node} may read, by SDS name: those its listeners reference and its namespace holds. */
  static SortedMap<String, Secret> forProxy(NodeInfo node, ProxyResources resources, ConfigStore.Snapshot snap) {
    var out = new TreeMap<String, Secret>();
    if (node == null || !node.isGateway() || resources == null || snap == null) {
      return out;
    }
    for (var name : referenced(resources)) {
      var ca = name.endsWith(CA_SUFFIX);
      var full = name.substring(PREFIX.length());
      if (ca) {
        var bundle = caBundle(snap, node.namespace(), full);
        if (bundle != null) {
          out.put(name, Secret.newBuilder().setName(name).setValidationContext(CertificateValidationContext.newBuilder()
              .setTrustedCa(inline(bundle))).build());
        }
        continue;
      }
      var s = secret(snap, node.namespace(), full);
      var pair = s == null ? null : s.keyPair();
      if (pair != null) { // else the listener's chain stays warming on the proxy until the Secret exists
        out.put(name, Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(inline(pair.chain())).setPrivateKey(inline(pair.key()))).build());
      }
    }
    return out;
  }

  /**
   * The client CA of {@code kubernetes://NAME-cacert}, as istiod looks it up: a Secret named
   * {@code NAME-cacert} (its {@code cacert} or {@code ca.crt}) when it exists, else the Secret {@code NAME}'s.
   */
  private static String caBundle(ConfigStore.Snapshot snap, String namespace, String caName) {
    var own = secret(snap, namespace, caName);
    if (own != null) {
      return own.caBundle();
    }
    var base = secret(snap, namespace, caName.substring(0, caName.length() - CA_SUFFIX.length()));
    return base == null ? null : base.caBundle();
  }

  private static io.meshwork.config.kube.Secret secret(ConfigStore.Snapshot snap, String namespace, String name) {
    var r = snap.get(new ResourceKey("", "Secret", namespace, name));
    return r != null && r.spec() instanceof io.meshwork.config.kube.Secret s ? s : null;
  }

  private static DataSource inline(String pem) {
    return DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(pem == null ? "" : pem, StandardCharsets.UTF_8)).build();
  }

  /** The {@code kubernetes://} SDS names the listeners' downstream TLS contexts reference. */
  static TreeSet<String> referenced(ProxyResources resources) {
    var out = new TreeSet<String>();
    for (var l : resources.listeners().values()) {
      for (var n : io.meshwork.xds.client.SdsNames.of(l)) {
        if (n.startsWith(PREFIX) && n.length() > PREFIX.length()) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** The resources of {@code type} for this proxy: SDS from the store, the rest from the translation. */
  static Map<String, ? extends com.google.protobuf.Message> ofType(String type, NodeInfo node, ProxyResources resources,
      ConfigStore.Snapshot snap) {
    return TYPE.equals(type) ? forProxy(node, resources, snap) : resources.ofType(type);
  }
}
