package io.meshwork.proxy.admin;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshwork.proxy.mtls.SecretStore;
import io.meshwork.security.pki.Pem;
import java.time.Instant;

/**
 * The {@code /config_dump} section for the proxy's SDS secrets, in Envoy's
 * {@code envoy.admin.v3.SecretsConfigDump} shape, so that {@code meshwork proxy-config secret} (and
 * anything written for istioctl's) can read it: {@code default} (the workload chain) and
 * {@code ROOTCA} (the trust bundle) as {@code dynamic_active_secrets}, or as
 * {@code dynamic_warming_secrets} while the agent still waits for its first certificate, then the
 * control plane's gateway certificates ({@code kubernetes://NAME}, {@code kubernetes://NAME-cacert}):
 * active once received, warming while a listener names one the control plane has not served (or no
 * longer serves: its Secret was deleted). As in Envoy, the private key is never printed: it appears
 * as {@code "[redacted]"}.
 */
public final class SecretsDump {
  /** What Envoy writes in place of a private key. */
  public static final String REDACTED = "[redacted]";

  private SecretsDump() {}

  /** The secrets section for {@code store}; empty when the proxy has no workload identity. */
  public static SecretsConfigDump of(SecretStore store) {
    return of(store, java.util.List.of(), "");
  }

  /**
   * The agent's secrets and the control plane's {@code gateway} secrets ({@link #redacted} copies; one
   * with neither a certificate nor a validation context is warming), at config {@code version}.
   */
  public static SecretsConfigDump of(SecretStore store, java.util.Collection<Secret> gateway, String version) {
    var dump = agent(store).toBuilder();
    for (var s : gateway) {
      var entry = SecretsConfigDump.DynamicSecret.newBuilder().setName(s.getName()).setSecret(com.google.protobuf.Any.pack(redacted(s)));
      if (s.hasTlsCertificate() || s.hasValidationContext()) {
        dump.addDynamicActiveSecrets(entry.setVersionInfo(version));
      } else {
        dump.addDynamicWarmingSecrets(entry);
      }
    }
    return dump.build();
  }

  /** {@code s} with its private key (if any) replaced by {@value #REDACTED}; what the proxy keeps for its dump. */
  public static Secret redacted(Secret s) {
    if (!s.hasTlsCertificate() || !s.getTlsCertificate().hasPrivateKey()) {
      return s;
    }
    var b = s.toBuilder();
    b.getTlsCertificateBuilder().setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED));
    return b.build();
  }

  private static SecretsConfigDump agent(SecretStore store) {
    var dump = SecretsConfigDump.newBuilder();
    if (store == null) {
      return dump.build();
    }
    var current = store.current();
    if (current == null) {
      if (store.requested()) {
        for (var name : new String[] {SecretStore.DEFAULT, SecretStore.ROOTCA}) {
          dump.addDynamicWarmingSecrets(SecretsConfigDump.DynamicSecret.newBuilder().setName(name)
              .setSecret(com.google.protobuf.Any.pack(Secret.newBuilder().setName(name).build())));
        }
      }
      return dump.build();
    }
    var c = current.credentials();
    var version = Long.toString(current.generation());
    var updated = timestamp(current.installedAt());
    var chain = Secret.newBuilder().setName(SecretStore.DEFAULT).setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(Pem.encode(c.chain().toArray()))))
        .setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED)));
    var roots = Secret.newBuilder().setName(SecretStore.ROOTCA).setValidationContext(CertificateValidationContext.newBuilder()
        .setTrustedCa(DataSource.newBuilder().setInlineBytes(ByteString.copyFromUtf8(Pem.encode(c.trustBundle().toArray())))));
    for (var s : new Secret[] {chain.build(), roots.build()}) {
      dump.addDynamicActiveSecrets(SecretsConfigDump.DynamicSecret.newBuilder().setName(s.getName()).setVersionInfo(version)
          .setLastUpdated(updated).setSecret(com.google.protobuf.Any.pack(s)));
    }
    return dump.build();
  }

  private static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
