package io.meshwork.security.ca;

import java.io.IOException;
import java.util.List;

/**
 * Asks the Kubernetes API server to review a ServiceAccount token (POST
 * {@code /apis/authentication.k8s.io/v1/tokenreviews}). The control plane implements it with its
 * Kubernetes client; this module only interprets the answer.
 */
public interface TokenReviewer {
  /**
   * The API server's verdict on {@code token}, reviewed for {@code audiences}.
   *
   * @throws IOException when the API server cannot be asked
   */
  Review review(String token, List<String> audiences) throws IOException;

  /**
   * A TokenReview status.
   *
   * @param authenticated whether the token is valid
   * @param username {@code system:serviceaccount:<namespace>:<name>} for a ServiceAccount token
   * @param audiences the audiences the token is valid for
   * @param error the API server's error text, or null
   */
  record Review(boolean authenticated, String username, List<String> audiences, String error) {
    public Review {
      audiences = audiences == null ? List.of() : List.copyOf(audiences);
    }
  }
}
