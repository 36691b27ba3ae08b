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
 * {@code tls.crt}/{@code tls.key}) and, for MUTUAL, {@code kubernetes://NAME-cacert} (its
 * {@code ca.crt}). A secret is served only to a gateway proxy whose own listeners name it, and only
 * from a Secret in the gateway's namespace: Istio authorizes credential reads by namespace, so a
 * Gateway in one namespace cannot obtain another namespace's private key. Secrets are built from the
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
      var base = name.substring(PREFIX.length(), name.length() - (ca ? CA_SUFFIX.length() : 0));
      var r = snap.get(new ResourceKey("", "Secret", node.namespace(), base));
      if (r == null || !(r.spec() instanceof io.meshwork.config.kube.Secret s) || !s.tls()) {
        continue; // the listener stays warming on the proxy until the Secret exists
      }
      var values = s.values();
      if (ca) {
        var bundle = values.get(io.meshwork.config.kube.Secret.CA);
        if (bundle != null && !bundle.isBlank()) {
          out.put(name, Secret.newBuilder().setName(name).setValidationContext(CertificateValidationContext.newBuilder()
              .setTrustedCa(inline(bundle))).build());
        }
      } else {
        out.put(name, Secret.newBuilder().setName(name).setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(inline(values.get(io.meshwork.config.kube.Secret.CERT)))
            .setPrivateKey(inline(values.get(io.meshwork.config.kube.Secret.KEY)))).build());
      }
    }
    return out;
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
