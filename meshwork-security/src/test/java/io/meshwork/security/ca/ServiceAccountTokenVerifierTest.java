package io.meshwork.security.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshwork.security.identity.SpiffeId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceAccountTokenVerifierTest {
  private static final Map<String, TokenReviewer.Review> REVIEWS = Map.of(
      "good", new TokenReviewer.Review(true, "system:serviceaccount:shop:cart", List.of("istio-ca"), null),
      "user", new TokenReviewer.Review(true, "alice@example.com", List.of("istio-ca"), null),
      "wrong-aud", new TokenReviewer.Review(true, "system:serviceaccount:shop:cart", List.of("api"), null),
      "bad", new TokenReviewer.Review(false, null, List.of(), "token expired"));

  private final ServiceAccountTokenVerifier verifier = new ServiceAccountTokenVerifier(
      (token, aud) -> {
        assertThat(aud).containsExactly("istio-ca");
        return REVIEWS.get(token);
      }, "cluster.local", List.of(ServiceAccountTokenVerifier.DEFAULT_AUDIENCE));

  private static CallerCredential k8s(String t) {
    return new CallerCredential(CallerCredential.KUBERNETES_TOKEN, t);
  }

  @Test
  void serviceAccountBecomesSpiffeId() throws Exception {
    assertThat(verifier.verify(k8s("good"))).isEqualTo(SpiffeId.of("shop", "cart"));
  }

  @Test
  void everythingElseIsRefused() {
    assertThatThrownBy(() -> verifier.verify(k8s("bad"))).isInstanceOf(AuthenticationException.class).hasMessageContaining("token expired");
    assertThatThrownBy(() -> verifier.verify(k8s("user"))).hasMessageContaining("not to a ServiceAccount");
    assertThatThrownBy(() -> verifier.verify(k8s("wrong-aud"))).hasMessageContaining("audience");
    assertThatThrownBy(() -> verifier.verify(new CallerCredential(CallerCredential.JOIN_TOKEN, "good"))).hasMessageContaining("expected a Kubernetes");
  }

  @Test
  void dispatchByType() throws Exception {
    var both = IdentityVerifiers.byType(Map.of(CallerCredential.KUBERNETES_TOKEN, verifier));
    assertThat(both.verify(k8s("good"))).isEqualTo(SpiffeId.of("shop", "cart"));
    assertThatThrownBy(() -> both.verify(new CallerCredential("x509", "z"))).hasMessageContaining("not accepted here");
  }
}
