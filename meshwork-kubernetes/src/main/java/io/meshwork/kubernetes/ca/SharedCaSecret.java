package io.meshwork.kubernetes.ca;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshwork.kubernetes.install.Names;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.pki.SecureFiles;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;

/**
 * One CA root for every control plane replica, kept in the Secret {@value Names#CA_SECRET}
 * ({@code root-cert.pem}, {@code root-key.pem}, the layout of the CA's state directory). Start-up:
 * read the Secret if present; otherwise create a root locally and <em>create</em> the Secret with
 * it. Creation is the race arbiter: when two replicas start together, the API server accepts one
 * create and answers 409 Conflict to the other, which then reads the winner's Secret and discards
 * its own root. So all replicas end up signing with the same key, and any of them can die.
 */
public final class SharedCaSecret {
  static final String CERT = "root-cert.pem";
  static final String KEY = "root-key.pem";

  private SharedCaSecret() {}

  /**
   * The CA whose root is in the Secret, materialized under {@code stateDir}.
   *
   * @throws IOException when the Secret cannot be read or created, or the state directory written
   */
  public static CertificateAuthority load(KubernetesClient client, String namespace, Path stateDir, CaOptions options, Clock clock)
      throws IOException {
    var secrets = client.secrets().inNamespace(namespace);
    try {
      var existing = secrets.withName(Names.CA_SECRET).get();
      if (existing != null) {
        return materialize(existing, stateDir, options, clock);
      }
      clear(stateDir);
      var fresh = CertificateAuthority.selfSigned(stateDir, options, clock);
      var secret = new SecretBuilder()
          .withNewMetadata().withName(Names.CA_SECRET).withNamespace(namespace)
            .withLabels(Map.of(Names.PART_OF, Names.MESHWORK)).endMetadata()
          .withType("Opaque")
          .withData(Map.of(CERT, b64(stateDir.resolve(CERT)), KEY, b64(stateDir.resolve(KEY))))
          .build();
      try {
        secrets.resource(secret).create();
        return fresh;
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        // Another replica won the race: use its root.
        return materialize(secrets.withName(Names.CA_SECRET).get(), stateDir, options, clock);
      }
    } catch (KubernetesClientException e) {
      throw new IOException("cannot read or create the CA Secret " + namespace + "/" + Names.CA_SECRET + " (HTTP " + e.getCode()
          + "): check the meshwork-control Role in " + namespace, e);
    }
  }

  private static CertificateAuthority materialize(Secret s, Path stateDir, CaOptions options, Clock clock) throws IOException {
    var data = s.getData();
    if (data == null || !data.containsKey(CERT) || !data.containsKey(KEY)) {
      throw new IOException("the Secret " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName() + " lacks " + CERT + " or " + KEY
          + "; delete it to have a new root created, or restore both keys");
    }
    clear(stateDir);
    SecureFiles.directory(stateDir);
    Files.writeString(stateDir.resolve(CERT), decode(data.get(CERT)));
    SecureFiles.write(stateDir.resolve(KEY), decode(data.get(KEY)));
    return CertificateAuthority.selfSigned(stateDir, options, clock);
  }

  private static void clear(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (var p : walk.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  private static String b64(Path p) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(p));
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
