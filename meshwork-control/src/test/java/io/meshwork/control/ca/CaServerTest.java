package io.meshwork.control.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.meshwork.control.ControlPlane;
import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import io.meshwork.xds.ca.CaMessages;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificate service over a real gRPC/TLS socket: callers authenticate with a join token,
 * get exactly the identity the token proves, and the root survives a restart.
 */
class CaServerTest {
  @TempDir Path dir;

  static CaMessages.Response call(CaServer ca, String bearer, String csr, String authority) throws Exception {
    var creds = TlsChannelCredentials.newBuilder()
        .trustManager(new ByteArrayInputStream(ca.rootPem().getBytes(StandardCharsets.US_ASCII))).build();
    ManagedChannel ch = NettyChannelBuilder.forTarget(authority + ":" + ca.port(), creds).build();
    try {
      var headers = new Metadata();
      if (bearer != null) {
        headers.put(CaServer.AUTHORIZATION, "Bearer " + bearer);
      }
      var c = ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers));
      return ClientCalls.blockingUnaryCall(c, CaMessages.CREATE_CERTIFICATE, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          new CaMessages.Request(csr, 3600, null));
    } finally {
      ch.shutdownNow();
    }
  }

  static String csr(String ns, String sa) {
    return CsrBuilder.pem(CsrBuilder.build(KeyAlgorithm.EC_P256.generate(), SpiffeId.of(ns, sa)));
  }

  @Test
  void joinTokenBindsTheIdentityAndTheRootIsKeptAcrossRestarts() throws Exception {
    var state = dir.resolve("state");
    String firstRoot;
    try (var ca = CaServer.start(CaSettings.selfSigned(state, 0), "127.0.0.1", null)) {
      firstRoot = ca.rootPem();
      var tokenFile = dir.resolve("tokens/reviews.token");
      var token = ca.issueJoinToken("default", "reviews", null, tokenFile);
      assertThat(Files.getPosixFilePermissions(tokenFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
      assertThat(Files.getPosixFilePermissions(state.resolve("root-key.pem"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));

      // Both host names of the serving certificate verify (TLS would fail otherwise).
      for (var authority : new String[] {"127.0.0.1", "localhost"}) {
        var reply = call(ca, token, csr("default", "reviews"), authority);
        var chain = reply.certChain().stream().flatMap(p -> Pem.certificates(p).stream()).toList();
        assertThat(SpiffeId.fromCertificate(chain.getFirst()).orElseThrow().uri()).isEqualTo("spiffe://cluster.local/ns/default/sa/reviews");
        assertThat(chain.getLast()).isEqualTo(ca.authority().root());
        chain.getFirst().verify(ca.authority().root().getPublicKey());
        var lifetime = chain.getFirst().getNotAfter().getTime() - chain.getFirst().getNotBefore().getTime();
        assertThat(lifetime).as("the requested validity_duration").isEqualTo(3_600_000L);
      }

      assertThatThrownBy(() -> call(ca, null, csr("default", "reviews"), "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      assertThatThrownBy(() -> call(ca, "mwjt_forged", csr("default", "reviews"), "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      // A token for reviews cannot buy a certificate for istiod.
      assertThatThrownBy(() -> call(ca, token, csr("istio-system", "istiod"), "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains("spiffe://cluster.local/ns/istio-system/sa/istiod", "sa/reviews");
          });
      assertThatThrownBy(() -> call(ca, token, "not a csr", "127.0.0.1"))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
    try (var again = CaServer.start(CaSettings.selfSigned(state, 0), "127.0.0.1", null)) {
      assertThat(again.rootPem()).as("the same root after a restart").isEqualTo(firstRoot);
    }
  }

  @Test
  void controlPlaneServesJoinTokensAndTheRootOverRest() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0);
    try (var cp = ControlPlane.start(o, CaSettings.selfSigned(dir.resolve("state"), 0))) {
      var http = HttpClient.newHttpClient();
      var base = "http://127.0.0.1:" + cp.restPort();
      var r = http.send(HttpRequest.newBuilder(URI.create(base + CaRestApi.TOKENS + "?namespace=default&serviceAccount=ratings"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      var json = io.meshwork.config.codec.ConfigLoader.JSON.readTree(r.body());
      assertThat(json.path("spiffeId").asText()).isEqualTo("spiffe://cluster.local/ns/default/sa/ratings");
      var reply = call(cp.ca(), json.path("token").asText(), csr("default", "ratings"), "127.0.0.1");
      assertThat(reply.certChain()).isNotEmpty();
      var root = http.send(HttpRequest.newBuilder(URI.create(base + CaRestApi.ROOT)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(root.body()).isEqualTo(cp.ca().rootPem());
      var missing = http.send(HttpRequest.newBuilder(URI.create(base + CaRestApi.TOKENS + "?namespace=default"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void aPlugInCaNeedsItsFilesNamed() {
    var s = new CaSettings(dir.resolve("state"), 0, "cluster.local", dir.resolve("ca-cert.pem"), null, null, null, java.util.List.of());
    assertThatThrownBy(() -> CaServer.start(s, "127.0.0.1", null)).hasMessageContaining("--ca-key").hasMessageContaining("--root-cert");
  }
}
