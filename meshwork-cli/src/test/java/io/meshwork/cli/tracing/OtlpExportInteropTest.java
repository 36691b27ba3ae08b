package io.meshwork.cli.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.ingest.OtlpProtoDecoder;
import io.meshwork.console.trace.Span;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.tracing.SpanData;
import io.meshwork.proxy.tracing.SpanExporter;
import io.meshwork.proxy.tracing.SpanFormat;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our OTLP/HTTP exporter and the OpenTelemetry Java SDK's ({@code OtlpHttpSpanExporter}, OkHttp
 * sender) send to the same receiver, which decodes with the console's OTLP protobuf decoder: the
 * same span (ids, name, kind, times, service, attributes, error status) decodes to equal records.
 * Then a request through two proxies with the OpenTelemetry tracer arrives as linked spans.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OtlpExportInteropTest {
  HttpServer receiver;
  final List<byte[]> bodies = new ArrayList<>();
  final List<String> contentTypes = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", ex -> {
      var body = ex.getRequestBody().readAllBytes();
      synchronized (bodies) {
        bodies.add(body);
        contentTypes.add(ex.getRequestHeaders().getFirst("content-type"));
      }
      ex.getResponseHeaders().set("content-type", "application/x-protobuf");
      ex.sendResponseHeaders(200, 0); // an empty ExportTraceServiceResponse
      ex.close();
    });
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  List<Span> awaitSpans(int n) throws Exception {
    for (int i = 0; i < 1000; i++) {
      var all = new ArrayList<Span>();
      synchronized (bodies) {
        for (var b : bodies) {
          all.addAll(OtlpProtoDecoder.decode(b));
        }
      }
      if (all.size() >= n) {
        return all;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fewer than " + n + " spans arrived");
  }

  @Test
  void ourExporterAndTheOpenTelemetrySdkDecodeEqually() throws Exception {
    var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    var spanId = "b7ad6b7169203331";
    var parentId = "00f067aa0ba902b7";
    long startMicros = 1_764_000_000_123_456L;
    long durationMicros = 2_345;
    var tags = new LinkedHashMap<String, String>();
    tags.put("component", "proxy");
    tags.put("http.method", "GET");
    tags.put("http.status_code", "503");
    tags.put("upstream_cluster", "outbound|9080||reviews.default.svc.cluster.local");
    tags.put("istio.canonical_service", "productpage");

    var stats = new Stats();
    try (var ours = new SpanExporter("tracing.opentelemetry", SpanFormat.OTLP_PROTOBUF, "/v1/traces",
        receiver::getAddress, stats, new SpanExporter.Limits(16, 16, Duration.ofMillis(50)))) {
      var withError = new LinkedHashMap<>(tags);
      withError.put("error", "true");
      ours.offer(new SpanData(traceId, spanId, parentId, "reviews.default.svc.cluster.local:9080/*", true, startMicros,
          durationMicros, "productpage.default", "127.0.0.1", "10.0.0.2", 9080, withError, true, false));
      awaitSpans(1);
    }
    assertThat(stats.value("tracing.opentelemetry.spans_sent")).isEqualTo(1);

    var exporter = OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces")
        .setTimeout(Duration.ofSeconds(10)).build();
    var provider = SdkTracerProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "productpage.default")))
        .setIdGenerator(new IdGenerator() {
          @Override
          public String generateSpanId() {
            return spanId;
          }

          @Override
          public String generateTraceId() {
            return traceId;
          }
        })
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    try {
      var parent = Context.root().with(io.opentelemetry.api.trace.Span.wrap(
          SpanContext.createFromRemoteParent(traceId, parentId, TraceFlags.getSampled(), TraceState.getDefault())));
      var span = provider.get("meshwork-proxy").spanBuilder("reviews.default.svc.cluster.local:9080/*").setParent(parent)
          .setSpanKind(SpanKind.CLIENT).setStartTimestamp(startMicros, TimeUnit.MICROSECONDS).startSpan();
      tags.forEach(span::setAttribute);
      span.setAttribute("net.peer.ip", "10.0.0.2");
      span.setStatus(StatusCode.ERROR);
      span.end(startMicros + durationMicros, TimeUnit.MICROSECONDS);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
    var spans = awaitSpans(2);
    assertThat(spans).hasSize(2);
    Span mine = spans.get(0);
    Span sdk = spans.get(1);
    assertThat(mine.traceId()).isEqualTo(traceId);
    assertThat(mine.parentSpanId()).isEqualTo(parentId);
    assertThat(mine.isError()).isTrue();
    assertThat(mine.service()).isEqualTo("productpage.default");
    assertThat(mine.tags()).containsEntry("otel.scope.name", "meshwork-proxy").containsEntry("otel.status_code", "ERROR");
    assertThat(mine).isEqualTo(sdk);
    assertThat(contentTypes).allMatch(ct -> ct.startsWith("application/x-protobuf"));
  }

  @Test
  void proxiesExportLinkedSpansOverOtlp() throws Exception {
    int port = receiver.getAddress().getPort();
    try (var backend = new TracedService("backend", -1, "otlp", port, 100);
        var frontend = new TracedService("frontend", backend.inboundPort(), "otlp", port, 100)) {
      var http = HttpClient.newHttpClient();
      var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontend.inboundPort() + "/x"))
          .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      var spans = awaitSpans(3);
      Thread.sleep(200);
      spans = awaitSpans(3);
      assertThat(spans).hasSize(3);
      Map<String, Span> byKey = new LinkedHashMap<>();
      spans.forEach(s -> byKey.put(s.service() + "/" + s.kind(), s));
      assertThat(byKey).containsOnlyKeys("frontend/SERVER", "frontend/CLIENT", "backend/SERVER");
      assertThat(spans).allSatisfy(s -> assertThat(s.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c"));
      assertThat(byKey.get("frontend/SERVER").parentSpanId()).isEqualTo("b7ad6b7169203331");
      assertThat(byKey.get("frontend/CLIENT").parentSpanId()).isEqualTo(byKey.get("frontend/SERVER").spanId());
      assertThat(byKey.get("backend/SERVER").parentSpanId()).isEqualTo(byKey.get("frontend/CLIENT").spanId());
      assertThat(byKey.get("backend/SERVER").tags()).containsEntry("http.status_code", "200").containsEntry("component", "proxy");
    }
  }
}
