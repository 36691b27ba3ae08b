package io.meshwork.kubernetes.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.security.ca.AuthenticationException;
import io.meshwork.security.ca.CallerCredential;
import io.meshwork.security.ca.ServiceAccountTokenVerifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CSR authentication in Kubernetes mode: the security module's verifier over our TokenReview
 * client, against a mock API server that answers TokenReviews the way a real one does (a token is
 * authenticated only for the audiences it was minted for).
 */
class KubeTokenReviewerTest {
  KubernetesMockServer server;
  KubernetesClient client;
  final List<String> requestedAudiences = new ArrayList<>();

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
    server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, req -> {
      try {
        var body = ConfigLoader.JSON.readTree(req.getUtf8Body());
        var token = body.path("spec").path("token").asText();
        var auds = new ArrayList<String>();
        body.path("spec").path("audiences").forEach(a -> auds.add(a.asText()));
        requestedAudiences.addAll(auds);
        var out = (com.fasterxml.jackson.databind.node.ObjectNode) body.deepCopy();
        var status = out.putObject("status");
        // The "istio-ca-token" was minted for audience istio-ca, the "api-token" for the API server only.
        boolean ok = token.equals("istio-ca-token") && auds.contains("istio-ca") || token.equals("api-token") && auds.isEmpty();
        status.put("authenticated", ok);
        if (ok) {
          status.putObject("user").put("username", "system:serviceaccount:default:bookinfo-reviews");
          status.putArray("audiences").add(auds.isEmpty() ? "https://kubernetes.default.svc" : "istio-ca");
        } else {
          status.put("error", "[invalid bearer token, token audiences [https://kubernetes.default.svc] is invalid for the target audiences]");
        }
        return out.toString();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).always();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  ServiceAccountTokenVerifier verifier() {
    return new ServiceAccountTokenVerifier(new KubeTokenReviewer(client), "cluster.local",
        List.of(ServiceAccountTokenVerifier.DEFAULT_AUDIENCE));
  }

  @Test
  void aTokenForTheCaAudienceProvesTheServiceAccountsSpiffeId() throws Exception {
    var id = verifier().verify(new CallerCredential(CallerCredential.KUBERNETES_TOKEN, "istio-ca-token"));
    assertThat(id.uri()).isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
    assertThat(requestedAudiences).containsExactly("istio-ca");
  }

  @Test
  void aTokenMintedForAnotherAudienceIsRefused() {
    assertThatThrownBy(() -> verifier().verify(new CallerCredential(CallerCredential.KUBERNETES_TOKEN, "api-token")))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("rejected by the API server").hasMessageContaining("audiences");
  }

  @Test
  void theReviewCarriesTheApiServersAnswer() throws Exception {
    var r = new KubeTokenReviewer(client).review("istio-ca-token", List.of("istio-ca"));
    assertThat(r.authenticated()).isTrue();
    assertThat(r.username()).isEqualTo("system:serviceaccount:default:bookinfo-reviews");
    assertThat(r.audiences()).containsExactly("istio-ca");
  }
}
