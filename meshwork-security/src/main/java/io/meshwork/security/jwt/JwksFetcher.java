package io.meshwork.security.jwt;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Fetches a JSON Web Key Set document. {@link HttpJwksFetcher} is the JDK HttpClient
 * implementation; tests point it at a local server on port 0.
 */
public interface JwksFetcher {
  /**
   * The JWKS JSON at {@code uri}.
   *
   * @param timeout how long to wait (the rule's {@code timeout}, 5 s by default)
   * @throws IOException when the document cannot be fetched
   */
  String fetch(URI uri, Duration timeout) throws IOException;
}
