package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.meshwork.control.ControlPlane;
import io.meshwork.security.ca.AuthenticationException;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CallerCredential;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.IdentityVerifier;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.Pem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate service with a CA and caller authentication from outside (what Kubernetes mode
 * hands over): the source's verifier alone decides who a caller is, the source's CA signs, and no
 * join token store exists (none opened on disk, none issued, no REST endpoint for them).
 */
class CaSourceTest {
  @TempDir Path dir;

  /** Bearer tokens this source knows, like a TokenReview would answer. */
  static final Map<String, SpiffeId> KNOWN = Map.of("sa-token-ratings", SpiffeId.of("bookinfo", "ratings"));

  record FixedSource(CertificateAuthority authority, IdentityVerifier callers) implements CaSource {
    @Override
    public String describe() {
      return "test tokens";
    }
  }

  @Test
  void theSourcesVerifierAndCaDecideAndNoJoinTokensExist() throws Exception {
    var types = new java.util.concurrent.CopyOnWriteArrayList<String>();
    IdentityVerifier verifier = c -> {
      types.add(c.type());
      var id = KNOWN.get(c.value());
      if (id == null) {
        throw new AuthenticationException("unknown test token");
      }
      return id;
    };
    var ca = CertificateAuthority.selfSigned(dir.resolve("external-root"), CaOptions.defaults(), Clock.systemUTC());
    var state = dir.resolve("state");
    try (var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0), null)) {
      assertThat(cp.ca()).isNull();
      cp.startCa("127.0.0.1", new CaSettings(state, 0, "cluster.local", null, null, null, null, List.of("meshwork-control.meshwork-system.svc")),
          new FixedSource(ca, verifier));
      assertThat(cp.ca().authority()).isSameAs(ca);
      assertThat(cp.ca().rootPem()).isEqualTo(Pem.encode(ca.root()));

      var reply = CaServerTest.call(cp.ca(), "sa-token-ratings", CaServerTest.csr("bookinfo", "ratings"), "127.0.0.1");
      var leaf = Pem.certificates(reply.certChain().getFirst()).getFirst();
      assertThat(SpiffeId.fromCertificate(leaf).orElseThrow().uri()).isEqualTo("spiffe://cluster.local/ns/bookinfo/sa/ratings");
      leaf.verify(ca.root().getPublicKey());
      assertThat(types).containsOnly(CallerCredential.KUBERNETES_TOKEN);

      assertThatThrownBy(() -> CaServerTest.call(cp.ca(), "sa-token-reviews", CaServerTest.csr("bookinfo", "reviews"), "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo("unknown test token");
          });
      assertThatThrownBy(() -> CaServerTest.call(cp.ca(), null, CaServerTest.csr("bookinfo", "ratings"), "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription()).contains("ServiceAccount token"));

      // No join tokens: nothing on disk, none issued, no endpoint; the root is still served.
      assertThat(Files.exists(state)).isFalse();
      assertThat(cp.ca().joinTokens()).isNull();
      assertThatThrownBy(() -> cp.ca().issueJoinToken("bookinfo", "ratings", null, null)).hasMessageContaining("issues no join tokens");
      var http = HttpClient.newHttpClient();
      var base = "http://127.0.0.1:" + cp.restPort();
      var tokens = http.send(HttpRequest.newBuilder(URI.create(base + CaRestApi.TOKENS + "?namespace=bookinfo&serviceAccount=ratings"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(tokens.statusCode()).isNotEqualTo(200);
      var root = http.send(HttpRequest.newBuilder(URI.create(base + CaRestApi.ROOT)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(root.body()).isEqualTo(cp.ca().rootPem());

      assertThatThrownBy(() -> cp.startCa("127.0.0.1", CaSettings.selfSigned(state, 0), new FixedSource(ca, verifier)))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
