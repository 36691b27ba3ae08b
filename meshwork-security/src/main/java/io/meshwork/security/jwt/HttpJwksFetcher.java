package io.meshwork.security.jwt;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Fetches JWKS over HTTP(S) with the JDK client; bodies above 1 MiB are refused. */
public final class HttpJwksFetcher implements JwksFetcher {
  private static final int MAX_BYTES = 1 << 20;
  private final HttpClient client;

  public HttpJwksFetcher() {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NORMAL).build());
  }

  public HttpJwksFetcher(HttpClient client) {
    this.client = client;
  }

  @Override
  public String fetch(URI uri, Duration timeout) throws IOException {
    var req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + uri, e);
    }
    if (resp.statusCode() != 200) {
      throw new IOException("fetching " + uri + " returned HTTP " + resp.statusCode());
    }
    if (resp.body().length > MAX_BYTES) {
      throw new IOException(uri + " returned more than 1 MiB; that is not a key set");
    }
    return new String(resp.body(), StandardCharsets.UTF_8);
  }
}
