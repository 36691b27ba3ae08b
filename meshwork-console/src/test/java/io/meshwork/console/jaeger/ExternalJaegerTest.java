package io.meshwork.console.jaeger;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.TestHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --jaeger URL}: the console answers Jaeger's query API from an external Jaeger (here a
 * fake query service answering with Jaeger's recorded JSON shapes), not from its own store.
 */
class ExternalJaegerTest {
  static final String SERVICES = "{\"data\":[\"frontend\",\"vote\"],\"total\":2,\"limit\":0,\"offset\":0,\"errors\":null}";
  static final String TRACE = """
      {"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[
        {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7","flags":1,"operationName":"GET /vote",
         "references":[],"startTime":1764115200000000,"duration":1500,"tags":[{"key":"http.status_code","type":"int64","value":200}],
         "logs":[],"processID":"p1","warnings":null},
        {"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"b7ad6b7169203331","flags":1,"operationName":"redis SET",
         "references":[{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":"00f067aa0ba902b7"}],
         "startTime":1764115200000200,"duration":300,"tags":[],"logs":[],"processID":"p2","warnings":null}],
       "processes":{"p1":{"serviceName":"frontend","tags":[]},"p2":{"serviceName":"vote","tags":[]}},"warnings":null}],
       "total":0,"limit":0,"offset":0,"errors":null}
      """;
  private HttpServer jaeger;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private ConsoleServer console;
  private String api;

  @BeforeEach
  void start() throws Exception {
    jaeger = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jaeger.createContext("/", h -> {
      requests.add(h.getRequestURI().toString());
      var path = h.getRequestURI().getPath();
      String body;
      int status = 200;
      if (path.equals("/jaeger/api/services")) {
        body = SERVICES;
      } else if (path.equals("/jaeger/api/traces/4bf92f3577b34da6a3ce929d0e0e4736") || path.equals("/jaeger/api/traces")) {
        body = TRACE;
      } else {
        status = 404;
        body = "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":404,\"msg\":\"trace not found\"}]}";
      }
      var bytes = body.getBytes(StandardCharsets.UTF_8);
      h.getResponseHeaders().set("Content-Type", "application/json");
      h.sendResponseHeaders(status, bytes.length);
      h.getResponseBody().write(bytes);
      h.close();
    });
    jaeger.start();
    var opts = ConsoleOptions.defaults().ephemeral().withJaeger(URI.create("http://127.0.0.1:" + jaeger.getAddress().getPort() + "/jaeger/"));
    console = ConsoleServer.start(opts, Clock.systemUTC());
    api = "http://127.0.0.1:" + console.uiPort() + "/api";
  }

  @AfterEach
  void stop() {
    console.close();
    jaeger.stop(0);
  }

  @Test
  void queriesGoToTheExternalJaegerWithTheirParameters() throws Exception {
    var services = TestHttp.json(api + "/services");
    assertThat(services.path("data").toString()).isEqualTo("[\"frontend\",\"vote\"]");
    var traces = TestHttp.json(api + "/traces?service=frontend&operation=GET%20%2Fvote&limit=20&lookback=1h");
    assertThat(traces.path("data").get(0).path("spans")).hasSize(2);
    assertThat(requests).contains("/jaeger/api/traces?service=frontend&operation=GET%20%2Fvote&limit=20&lookback=1h");
    var one = TestHttp.json(api + "/traces/4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(one.path("data").get(0).path("processes").path("p2").path("serviceName").asText()).isEqualTo("vote");
    var missing = TestHttp.get(api + "/traces/0000000000000001");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("trace not found");
  }

  @Test
  void theEmbeddedStoreIsNotConsulted() throws Exception {
    // A span ingested locally must not appear: the external Jaeger is the only source.
    console.traces().add(List.of(new io.meshwork.console.trace.Span("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", null, "op",
        io.meshwork.console.trace.SpanKind.SERVER, 1_764_115_200_000_000L, 1000, "local-only", java.util.Map.of(), java.util.Map.of(),
        List.of(), List.of())));
    assertThat(console.traces().services()).contains("local-only");
    assertThat(TestHttp.json(api + "/services").path("data").toString()).doesNotContain("local-only");
  }

  @Test
  void anUnreachableJaegerIsA502NamingIt() throws Exception {
    jaeger.stop(0);
    var r = TestHttp.get(api + "/services");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("cannot reach Jaeger", "--jaeger");
  }
}
