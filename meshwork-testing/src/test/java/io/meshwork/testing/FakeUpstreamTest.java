package io.meshwork.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(LeakDetectionExtension.class)
class FakeUpstreamTest {
  @RegisterExtension static FakeUpstream upstream = FakeUpstream.named("alpha");
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> post(String path, String body) throws Exception {
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + path))
        .header("x-test", "1").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersWithItsNameByDefaultAndRecordsTheRequest() throws Exception {
    var res = post("/a?b=c", "hello");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("alpha");
    assertThat(res.headers().firstValue("x-upstream-name")).contains("alpha");
    var rec = upstream.requests().getFirst();
    assertThat(rec.method()).isEqualTo("POST");
    assertThat(rec.uri()).isEqualTo("/a?b=c");
    assertThat(rec.body()).isEqualTo("hello");
    assertThat(rec.header("X-Test")).isEqualTo("1");
  }

  @Test
  void scriptedRepliesCarryStatusHeadersAndBody() throws Exception {
    upstream.respondWith(r -> r.uri().equals("/bad") ? Reply.status(503) : Reply.ok("fine").withHeaders(Map.of("x-k", "v")));
    assertThat(post("/bad", "").statusCode()).isEqualTo(503);
    var ok = post("/good", "");
    assertThat(ok.body()).isEqualTo("fine");
    assertThat(ok.headers().firstValue("x-k")).contains("v");
  }

  @Test
  void countsRequestsAbandonedByTheClient() throws Exception {
    upstream.respondWith(Reply.never());
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.port() + "/hang"))
        .timeout(Duration.ofMillis(200)).GET().build();
    var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      client.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException expected) {
      // the client gives up and closes its connection
    }
    client.close();
    for (int i = 0; i < 100 && upstream.abandoned() == 0; i++) {
      Thread.sleep(20);
    }
    assertThat(upstream.abandoned()).isEqualTo(1);
  }
}
