package io.meshwork.kubernetes.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshwork.kubernetes.KubeTestSupport;
import io.meshwork.kubernetes.install.Names;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replicas share one CA root through a Secret, whoever starts first, and even when they start together. */
class SharedCaSecretTest {
  @TempDir Path dir;

  @Test
  void theFirstReplicaCreatesTheSecretAndTheNextSignWithTheSameRoot() throws Exception {
    var server = KubeTestSupport.crudServer();
    try (var client = server.createClient()) {
      var a = SharedCaSecret.load(client, "meshwork-system", dir.resolve("a"), CaOptions.defaults(), Clock.systemUTC());
      var secret = client.secrets().inNamespace("meshwork-system").withName(Names.CA_SECRET).get();
      assertThat(secret).isNotNull();
      assertThat(secret.getData()).containsKeys("root-cert.pem", "root-key.pem");
      var b = SharedCaSecret.load(client, "meshwork-system", dir.resolve("b"), CaOptions.defaults(), Clock.systemUTC());
      assertThat(b.root()).isEqualTo(a.root());
      assertThat(Files.readString(dir.resolve("b/root-key.pem"))).isEqualTo(Files.readString(dir.resolve("a/root-key.pem")));
    } finally {
      server.destroy();
    }
  }

  @Test
  void replicasStartingTogetherEndUpWithOneRoot() throws Exception {
    var server = KubeTestSupport.crudServer();
    try (var client = server.createClient()) {
      var barrier = new CyclicBarrier(3);
      var futures = new ArrayList<CompletableFuture<CertificateAuthority>>();
      for (int i = 0; i < 3; i++) {
        var state = dir.resolve("r" + i);
        futures.add(CompletableFuture.supplyAsync(() -> {
          try {
            barrier.await();
            return SharedCaSecret.load(client, "meshwork-system", state, CaOptions.defaults(), Clock.systemUTC());
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }));
      }
      var roots = futures.stream().map(CompletableFuture::join).map(CertificateAuthority::root).distinct().toList();
      assertThat(roots).hasSize(1);
      var stored = client.secrets().inNamespace("meshwork-system").withName(Names.CA_SECRET).get().getData().get("root-cert.pem");
      assertThat(new String(Base64.getDecoder().decode(stored))).isEqualTo(Files.readString(dir.resolve("r0/root-cert.pem")));
    } finally {
      server.destroy();
    }
  }

  @Test
  void losingTheCreateRaceAdoptsTheWinnersRoot() throws Exception {
    // The winner's root, made elsewhere.
    var winner = CertificateAuthority.selfSigned(dir.resolve("winner"), CaOptions.defaults(), Clock.systemUTC());
    var data = Map.of(
        "root-cert.pem", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("winner/root-cert.pem"))),
        "root-key.pem", Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("winner/root-key.pem"))));
    var secret = new SecretBuilder().withNewMetadata().withName(Names.CA_SECRET).withNamespace("meshwork-system").endMetadata()
        .withData(data).build();
    // The API server as this replica sees it: no Secret yet, then a 409 on create, then the winner's Secret.
    var server = new KubernetesMockServer(false);
    server.init();
    var path = "/api/v1/namespaces/meshwork-system/secrets/" + Names.CA_SECRET;
    server.expect().get().withPath(path).andReturn(404, "").once();
    server.expect().post().withPath("/api/v1/namespaces/meshwork-system/secrets").andReturn(409,
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"AlreadyExists\",\"code\":409}").once();
    server.expect().get().withPath(path).andReturn(200, secret).once();
    try (var client = server.createClient()) {
      var loser = SharedCaSecret.load(client, "meshwork-system", dir.resolve("loser"), CaOptions.defaults(), Clock.systemUTC());
      assertThat(loser.root()).isEqualTo(winner.root());
    } finally {
      server.destroy();
    }
  }
}
