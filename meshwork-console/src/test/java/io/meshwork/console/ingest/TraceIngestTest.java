package io.meshwork.console.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.TestHttp;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import zipkin2.Endpoint;
import zipkin2.reporter.AsyncReporter;
import zipkin2.reporter.urlconnection.URLConnectionSender;

/** Real clients (the OpenTelemetry SDK's OTLP exporters, Zipkin's reporter) in, Jaeger's API out. */
class TraceIngestTest {
  private ConsoleServer console;
  private String api;
  private final List<SdkTracerProvider> providers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    console = ConsoleServer.start(ConsoleOptions.defaults().ephemeral(), Clock.systemUTC());
    api = "http://127.0.0.1:" + console.uiPort() + "/api";
  }

  @AfterEach
  void stop() {
    providers.forEach(SdkTracerProvider::close);
    console.close();
  }

  private SdkTracerProvider provider(String service, SpanExporter exporter) {
    var p = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), service, AttributeKey.stringKey("k8s.namespace.name"), "default")))
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
    providers.add(p);
    return p;
  }

  /** Sends vote-gateway (server) -> vote (server) -> redis SET (client, error) and returns the trace id. */
  private String sendVoteTrace(SpanExporter gatewayExporter, SpanExporter voteExporter) {
    var gw = provider("istio-ingressgateway", gatewayExporter).get("test");
    var vote = provider("vote", voteExporter).get("test");
    var root = gw.spanBuilder("GET /vote").setSpanKind(SpanKind.SERVER).setAttribute("http.status_code", 200L).startSpan();
    var server = vote.spanBuilder("POST /vote").setParent(Context.root().with(root)).setSpanKind(SpanKind.SERVER)
        .setAttribute("http.method", "POST").startSpan();
    var redis = vote.spanBuilder("redis SET").setParent(Context.root().with(server)).setSpanKind(SpanKind.CLIENT)
        .setAttribute("db.system", "redis").startSpan();
    redis.setStatus(StatusCode.ERROR, "connection refused");
    redis.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), 2L));
    redis.end();
    server.end();
    root.end();
    providers.forEach(p -> p.forceFlush().join(10, TimeUnit.SECONDS));
    return root.getSpanContext().getTraceId();
  }

  @Test
  void otlpHttpProtobufFromTheSdkIsQueryableThroughJaegerApi() throws Exception {
    String ep = "http://127.0.0.1:" + console.otlpHttpPort() + "/v1/traces";
    String traceId = sendVoteTrace(OtlpHttpSpanExporter.builder().setEndpoint(ep).build(), OtlpHttpSpanExporter.builder().setEndpoint(ep).build());
    assertVoteTrace(traceId);
  }

  @Test
  void otlpGrpcFromTheSdkIsQueryableThroughJaegerApi() throws Exception {
    String ep = "http://127.0.0.1:" + console.otlpGrpcPort();
    String traceId = sendVoteTrace(OtlpGrpcSpanExporter.builder().setEndpoint(ep).build(), OtlpGrpcSpanExporter.builder().setEndpoint(ep).build());
    assertVoteTrace(traceId);
  }

  private void assertVoteTrace(String traceId) throws Exception {
    assertThat(TestHttp.json(api + "/services").path("data")).extracting(JsonNode::asText).containsExactly("istio-ingressgateway", "vote");
    assertThat(TestHttp.json(api + "/services/vote/operations").path("data")).extracting(JsonNode::asText).containsExactly("POST /vote", "redis SET");
    JsonNode ops = TestHttp.json(api + "/operations?service=vote&spanKind=client").path("data");
    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).path("name").asText()).isEqualTo("redis SET");
    assertThat(ops.get(0).path("spanKind").asText()).isEqualTo("client");

    JsonNode env = TestHttp.json(api + "/traces/" + traceId);
    assertThat(env.path("total").asInt()).isEqualTo(1);
    assertThat(env.has("limit") && env.has("offset") && env.has("errors")).isTrue();
    JsonNode trace = env.path("data").get(0);
    assertThat(trace.path("traceID").asText()).isEqualTo(traceId);
    assertThat(fields(trace)).containsExactly("traceID", "spans", "processes", "warnings");
    assertThat(fields(trace.path("spans").get(0))).containsExactly("traceID", "spanID", "flags", "operationName", "references",
        "startTime", "duration", "tags", "logs", "processID", "warnings");
    assertThat(fields(trace.path("spans").get(0).path("tags").get(0))).containsExactly("key", "type", "value");
    assertThat(trace.path("spans")).hasSize(3);
    JsonNode redis = spanNamed(trace, "redis SET");
    JsonNode server = spanNamed(trace, "POST /vote");
    JsonNode root = spanNamed(trace, "GET /vote");
    assertThat(root.path("references")).isEmpty();
    assertThat(server.path("references").get(0).path("refType").asText()).isEqualTo("CHILD_OF");
    assertThat(server.path("references").get(0).path("spanID").asText()).isEqualTo(root.path("spanID").asText());
    assertThat(redis.path("references").get(0).path("spanID").asText()).isEqualTo(server.path("spanID").asText());
    assertThat(redis.path("duration").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(redis.path("startTime").asLong()).isBetween(System.currentTimeMillis() * 1000 - 60_000_000, System.currentTimeMillis() * 1000);
    assertThat(tag(redis, "error").path("value").asBoolean()).isTrue();
    assertThat(tag(redis, "error").path("type").asText()).isEqualTo("bool");
    assertThat(tag(redis, "span.kind").path("value").asText()).isEqualTo("client");
    assertThat(tag(root, "http.status_code").path("type").asText()).isEqualTo("int64");
    assertThat(redis.path("logs").get(0).path("fields").toString()).contains("retry").contains("attempt");
    String pid = redis.path("processID").asText();
    assertThat(trace.path("processes").path(pid).path("serviceName").asText()).isEqualTo("vote");
    assertThat(trace.path("processes").path(pid).path("tags").toString()).contains("k8s.namespace.name");
    assertThat(trace.path("processes").path(root.path("processID").asText()).path("serviceName").asText()).isEqualTo("istio-ingressgateway");

    JsonNode byTag = TestHttp.json(api + "/traces?service=vote&tags=%7B%22db.system%22%3A%22redis%22%7D&lookback=1h&limit=5");
    assertThat(byTag.path("data")).hasSize(1);
    JsonNode noMatch = TestHttp.json(api + "/traces?service=vote&tags=%7B%22db.system%22%3A%22mysql%22%7D&lookback=1h");
    assertThat(noMatch.path("data")).isEmpty();
    JsonNode tooSlow = TestHttp.json(api + "/traces?service=vote&minDuration=10s");
    assertThat(tooSlow.path("data")).isEmpty();

    JsonNode deps = TestHttp.json(api + "/dependencies?endTs=" + System.currentTimeMillis() + "&lookback=3600000").path("data");
    assertThat(deps).hasSize(1);
    assertThat(deps.get(0).path("parent").asText()).isEqualTo("istio-ingressgateway");
    assertThat(deps.get(0).path("child").asText()).isEqualTo("vote");
    assertThat(deps.get(0).path("callCount").asInt()).isEqualTo(1);
  }

  @Test
  void otlpJsonWithHexIdsAndStringNumbers() throws Exception {
    String body = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"result"}}]},
          "scopeSpans":[{"scope":{"name":"manual"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
            "parentSpanId":"eee19b7ec3c1b173","name":"GET /results","kind":2,"startTimeUnixNano":"1544712660000000000",
            "endTimeUnixNano":"1544712661000000000","attributes":[{"key":"http.status_code","value":{"intValue":"503"}}],
            "status":{"code":"STATUS_CODE_ERROR","message":"upstream"}}]}]}]}
        """;
    var r = TestHttp.post("http://127.0.0.1:" + console.otlpHttpPort() + "/v1/traces", "application/json", body.getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode span = TestHttp.json(api + "/traces/5b8efff798038103d269b633813fc60c").path("data").get(0).path("spans").get(0);
    assertThat(span.path("startTime").asLong()).isEqualTo(1544712660000000L);
    assertThat(span.path("duration").asLong()).isEqualTo(1_000_000L);
    assertThat(tag(span, "http.status_code").path("value").asLong()).isEqualTo(503);
    assertThat(tag(span, "otel.status_description").path("value").asText()).isEqualTo("upstream");
    assertThat(span.path("references").get(0).path("spanID").asText()).isEqualTo("eee19b7ec3c1b173");

    var bad = TestHttp.post("http://127.0.0.1:" + console.otlpHttpPort() + "/v1/traces", "application/x-protobuf", new byte[] {0x0a, 0x7f, 0x01});
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("cannot decode the OTLP protobuf body");
  }

  @Test
  void zipkinReporterSpansAreQueryable() throws Exception {
    var sender = URLConnectionSender.create("http://127.0.0.1:" + console.zipkinPort() + "/api/v2/spans");
    try (var reporter = AsyncReporter.create(sender)) {
      long now = System.currentTimeMillis() * 1000;
      reporter.report(zipkin2.Span.newBuilder().traceId("463ac35c9f6413ad").id("463ac35c9f6413ad").name("get /")
          .kind(zipkin2.Span.Kind.SERVER).timestamp(now).duration(25_000).localEndpoint(Endpoint.newBuilder().serviceName("vote").build())
          .putTag("http.status_code", "200").build());
      reporter.report(zipkin2.Span.newBuilder().traceId("463ac35c9f6413ad").parentId("463ac35c9f6413ad").id("72485a3953bb6124").name("get")
          .kind(zipkin2.Span.Kind.CLIENT).timestamp(now + 1000).duration(2_000).localEndpoint(Endpoint.newBuilder().serviceName("vote").build())
          .remoteEndpoint(Endpoint.newBuilder().serviceName("redis").ip("10.0.0.7").port(6379).build())
          .putTag("error", "timeout").addAnnotation(now + 1500, "retry").build());
      reporter.flush();
    }
    sender.close();
    JsonNode trace = TestHttp.json(api + "/traces/463ac35c9f6413ad").path("data").get(0);
    assertThat(trace.path("spans")).hasSize(2);
    JsonNode client = spanNamed(trace, "get");
    assertThat(client.path("duration").asLong()).isEqualTo(2000);
    assertThat(client.path("references").get(0).path("spanID").asText()).isEqualTo("463ac35c9f6413ad");
    assertThat(tag(client, "error").path("value").asBoolean()).isTrue();
    assertThat(tag(client, "peer.service").path("value").asText()).isEqualTo("redis");
    assertThat(client.path("logs").get(0).path("timestamp").asLong()).isPositive();
    // The 128-bit spelling of a 64-bit id finds the same trace, as in Jaeger.
    assertThat(TestHttp.json(api + "/traces/0000000000000000463ac35c9f6413ad").path("data")).hasSize(1);
    assertThat(TestHttp.get(api + "/traces/00000000000000ff").statusCode()).isEqualTo(404);
    JsonNode search = TestHttp.json(api + "/traces?service=vote&operation=get&tag=error:true&limit=1");
    assertThat(search.path("data")).hasSize(1);
  }

  private static List<String> fields(JsonNode n) {
    var out = new ArrayList<String>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static JsonNode spanNamed(JsonNode trace, String name) {
    for (JsonNode s : trace.path("spans")) {
      if (s.path("operationName").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no span named " + name + " in " + trace);
  }

  private static JsonNode tag(JsonNode span, String key) {
    for (JsonNode t : span.path("tags")) {
      if (t.path("key").asText().equals(key)) {
        return t;
      }
    }
    throw new AssertionError("no tag " + key + " in " + span.path("tags"));
  }
}
