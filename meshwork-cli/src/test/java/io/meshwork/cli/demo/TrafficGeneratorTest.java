package io.meshwork.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The traffic generator against a recording server: the three kinds of request, the voter pool, the rate, a clean stop. */
class TrafficGeneratorTest {
  record Seen(String method, String path, String cookie, String body, String connection) {}

  @Test
  void votesAsAFewVotersAndReadsTheResultAtTheGivenRate() throws Exception {
    var seen = new CopyOnWriteArrayList<Seen>();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", ex -> {
      var body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Cookie"), body,
          ex.getRequestHeaders().getFirst("Connection")));
      byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, answer.length);
      ex.getResponseBody().write(answer);
      ex.close();
    });
    server.start();
    var log = new ByteArrayOutputStream();
    try {
      var base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
      long t0 = System.nanoTime();
      try (var g = TrafficGenerator.start(base, base, 40, new PrintStream(log, true, StandardCharsets.UTF_8))) {
        while (seen.size() < 30 && System.nanoTime() - t0 < 10_000_000_000L) {
          Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(seen.size()).isGreaterThanOrEqualTo(30);
        assertThat(seconds).as("30 requests at 40/s").isGreaterThan(0.6);
        assertThat(g.failed()).isZero();
      }
      int after = seen.size();
      Thread.sleep(300);
      assertThat(seen.size()).as("nothing is sent after close").isLessThanOrEqualTo(after + 1);
    } finally {
      server.stop(0);
    }
    List<Seen> votes = seen.stream().filter(s -> s.method().equals("POST")).toList();
    assertThat(votes).isNotEmpty().allSatisfy(v -> {
      assertThat(v.path()).isEqualTo("/");
      assertThat(v.cookie()).matches("voter_id=traffic-[0-9]");
      assertThat(v.body()).isIn("vote=a", "vote=b");
    });
    assertThat(seen).anyMatch(s -> s.method().equals("GET") && s.path().equals("/api/results"));
    assertThat(seen).anyMatch(s -> s.method().equals("GET") && s.path().equals("/"));
    assertThat(seen).as("a connection per request, so an L4 mesh spreads them").allMatch(s -> "close".equals(s.connection()));
    assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anUnreachableTargetIsCountedAndReportedOnce() throws Exception {
    var log = new ByteArrayOutputStream();
    var nowhere = URI.create("http://127.0.0.1:1/");
    try (var g = TrafficGenerator.start(nowhere, nowhere, 50, new PrintStream(log, true, StandardCharsets.UTF_8))) {
      long t0 = System.nanoTime();
      while (g.failed() < 5 && System.nanoTime() - t0 < 5_000_000_000L) {
        Thread.sleep(20);
      }
      assertThat(g.failed()).isGreaterThanOrEqualTo(5);
    }
    assertThat(log.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(1).first().asString()
        .startsWith("demo: traffic generator: ").contains("at most one such line per 30 s");
  }

  @Test
  void aRateOutOfRangeIsRefused() {
    var u = URI.create("http://127.0.0.1:1/");
    assertThatThrownBy(() -> TrafficGenerator.start(u, u, 0, System.out)).isInstanceOf(IllegalArgumentException.class);
  }
}
