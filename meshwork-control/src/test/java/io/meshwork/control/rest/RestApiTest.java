package io.meshwork.control.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlaneExtension;
import io.meshwork.control.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RestApiTest {
  @RegisterExtension final ControlPlaneExtension cp = new ControlPlaneExtension();
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(cp.restBase() + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ConfigLoader.JSON.readTree(r.body());
  }

  @Test
  void putGetListDeleteLikeKubernetes() throws Exception {
    var put = send("PUT", "/api/v1/namespaces/default/services/reviews", Fixtures.REVIEWS_SVC);
    assertThat(put.statusCode()).isEqualTo(201);
    var get = send("GET", "/api/v1/namespaces/default/services/reviews", null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(json(get).at("/metadata/resourceVersion").asText()).isEqualTo("1");
    assertThat(json(get).at("/spec/ports/0/port").asInt()).isEqualTo(9080);

    var vs = Fixtures.vs("reviews", "reviews", "http:\n- route:\n  - destination:\n      host: reviews\n");
    assertThat(send("PUT", "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews", vs).statusCode()).isEqualTo(201);
    var list = json(send("GET", "/apis/networking.istio.io/v1/virtualservices", null));
    assertThat(list.path("kind").asText()).isEqualTo("VirtualServiceList");
    assertThat(list.path("items")).hasSize(1);
    assertThat(json(send("GET", "/apis/networking.istio.io/v1/namespaces/other/virtualservices", null)).path("items")).isEmpty();

    assertThat(send("DELETE", "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews", null).statusCode()).isEqualTo(200);
    var gone = send("GET", "/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews", null);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(json(gone).path("reason").asText()).isEqualTo("NotFound");
  }

  @Test
  void aTlsSecretIsStoredButItsPrivateKeyIsNeverShown() throws Exception {
    var crt = java.nio.file.Files.readString(java.nio.file.Path.of(RestApiTest.class.getResource("/tls/a.example.com.crt").toURI()));
    var key = java.nio.file.Files.readString(java.nio.file.Path.of(RestApiTest.class.getResource("/tls/a.example.com.key").toURI()));
    var b64 = java.util.Base64.getEncoder();
    var secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert-a, namespace: istio-system}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: %s
        """.formatted(b64.encodeToString(crt.getBytes()), b64.encodeToString(key.getBytes()));
    var put = send("PUT", "/api/v1/namespaces/istio-system/secrets/cert-a", secret);
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(json(put).at("/data/tls.key").asText()).isEqualTo("REDACTED");
    var get = send("GET", "/api/v1/namespaces/istio-system/secrets/cert-a", null);
    assertThat(json(get).at("/data/tls.key").asText()).isEqualTo("REDACTED");
    assertThat(json(get).at("/data/tls.crt").asText()).isEqualTo(b64.encodeToString(crt.getBytes()));
    var list = send("GET", "/api/v1/secrets", null);
    assertThat(list.body()).contains("cert-a").doesNotContain(b64.encodeToString(key.getBytes()));
    assertThat(cp.get().store().snapshot().get(new io.meshwork.config.ResourceKey("", "Secret", "istio-system", "cert-a"))
        .spec(io.meshwork.config.kube.Secret.class).values().get("tls.key")).as("stored whole for the gateways").isEqualTo(key);

    var wrong = secret.replace(b64.encodeToString(key.getBytes()), b64.encodeToString(key.replace("MIGH", "MIGX").getBytes()));
    var refused = send("PUT", "/api/v1/namespaces/istio-system/secrets/cert-a", wrong);
    assertThat(refused.statusCode()).isEqualTo(422);
    assertThat(refused.body()).contains("data[tls.key]").doesNotContain("MIGX");
  }

  @Test
  void batchApplyIsAllOrNothing() throws Exception {
    var bad = Fixtures.vs("bad", "reviews", "http:\n- route:\n  - destination:\n      host: reviews\n    weight: -5\n");
    var r = send("POST", "/apis/meshwork.io/v1/apply", Fixtures.REVIEWS_SVC + "---\n" + bad);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(json(r).path("errors").get(0).asText()).contains("VirtualService/default/bad", "weight");
    assertThat(cp.get().store().snapshot().resources()).isEmpty();

    var ok = send("POST", "/apis/meshwork.io/v1/apply?namespace=shop", Fixtures.REVIEWS_SVC);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(json(ok).at("/results/0/action").asText()).isEqualTo("created");
    assertThat(json(ok).at("/results/0/namespace").asText()).isEqualTo("shop");

    var del = send("POST", "/apis/meshwork.io/v1/delete?namespace=shop", Fixtures.REVIEWS_SVC);
    assertThat(json(del).at("/results/0/action").asText()).isEqualTo("deleted");
  }

  @Test
  void clientErrorsGetOneClearReason() throws Exception {
    var syntax = send("POST", "/apis/meshwork.io/v1/apply", "apiVersion: v1\nkind: Service\nmetadata: [unclosed\n");
    assertThat(syntax.statusCode()).isEqualTo(422);
    assertThat(json(syntax).path("errors").get(0).asText()).contains("YAML syntax error");

    var unknown = send("GET", "/apis/networking.istio.io/v1/namespaces/default/frobnicators", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).path("message").asText()).contains("frobnicators");

    var big = send("POST", "/apis/meshwork.io/v1/apply", "#".repeat(Http.MAX_BODY + 10));
    assertThat(big.statusCode()).isEqualTo(413);
    assertThat(json(big).path("reason").asText()).isEqualTo("RequestEntityTooLarge");

    var mismatch = send("PUT", "/api/v1/namespaces/default/services/other", Fixtures.REVIEWS_SVC);
    assertThat(mismatch.statusCode()).isEqualTo(400);
    assertThat(json(mismatch).path("message").asText()).contains("does not match the name in the path");
  }

  @Test
  void debugEndpointsAndMetricsAnswer() throws Exception {
    assertThat(json(send("GET", "/debug/proxies", null)).isArray()).isTrue();
    assertThat(send("GET", "/metrics", null).body()).contains("pilot_xds ");
    assertThat(send("GET", "/debug/config_dump?proxy=nobody", null).statusCode()).isEqualTo(404);
    send("PUT", "/api/v1/namespaces/default/services/reviews", Fixtures.REVIEWS_SVC);
    cp.get().xds().push();
    var d = json(send("GET", "/debug/describe?service=reviews", null));
    assertThat(d.path("host").asText()).isEqualTo("reviews.default.svc.cluster.local");
    assertThat(d.at("/ports/0/subsets/0/cluster").asText()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
  }
}
