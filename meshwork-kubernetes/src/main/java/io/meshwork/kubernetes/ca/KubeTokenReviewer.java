package io.meshwork.kubernetes.ca;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshwork.security.ca.TokenReviewer;
import java.io.IOException;
import java.util.List;

/**
 * {@link TokenReviewer} over fabric8: {@code POST /apis/authentication.k8s.io/v1/tokenreviews} with
 * the token and the audiences the CA accepts. The API server answers with the user and the
 * audiences the token is valid for; a token minted for another audience is not authenticated.
 * Needs {@code create} on {@code tokenreviews} (in the installed ClusterRole).
 */
public final class KubeTokenReviewer implements TokenReviewer {
  private final KubernetesClient client;

  public KubeTokenReviewer(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Review review(String token, List<String> audiences) throws IOException {
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audiences).endSpec().build();
    TokenReview answer;
    try {
      answer = client.resource(request).create();
    } catch (KubernetesClientException e) {
      throw new IOException("TokenReview failed (HTTP " + e.getCode() + "): " + e.getMessage(), e);
    }
    var status = answer.getStatus();
    if (status == null) {
      return new Review(false, null, List.of(), "the API server returned no TokenReview status");
    }
    var user = status.getUser() == null ? null : status.getUser().getUsername();
    return new Review(Boolean.TRUE.equals(status.getAuthenticated()), user, status.getAudiences(), status.getError());
  }
}
