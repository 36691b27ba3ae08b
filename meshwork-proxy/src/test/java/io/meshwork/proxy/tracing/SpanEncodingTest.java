package io.meshwork.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The encoders write straight into a reused buffer (length prefixes inserted after a nested
 * message is written, JSON escaped and UTF-8 encoded by hand), so these tests decode the output
 * with independent parsers (Jackson, protobuf's {@code CodedInputStream}) and check every field,
 * with non-ASCII text, escapes and messages long enough for multi-byte length prefixes.
 */
class SpanEncodingTest {
  private static final String NAME = "caf\u00e9 \"q\" \\ \u00fcber/\u20ac/\uD83D\uDE00\t\u0001";

  private static SpanData span(int i, String service, boolean error) {
    var tags = new LinkedHashMap<String, String>();
    tags.put("http.url", "http://h/" + "x".repeat(i % 3 == 0 ? 300 : 5) + "/\u00e9");
    tags.put("note", NAME);
    if (error) {
      tags.put("error", "true");
    }
    return new SpanData("4bf92f3577b34da6a3ce929d0e0e4736", String.format("%016x", i + 1), i % 2 == 0 ? null : "00f067aa0ba902b7",
        NAME + i, i % 2 == 0, 1_700_000_000_000_000L + i, 1500 + i, service, "10.1.2.3", i % 4 == 0 ? "2001:db8::1" : "10.0.0.9",
        9080, tags, error, i == 3);
  }

  @Test
  void zipkinJsonDecodesToTheSameValues() throws Exception {
    var spans = new ArrayList<SpanData>();
    for (int i = 0; i < 40; i++) {
      spans.add(span(i, "svc.default", i == 5));
    }
    var json = new ObjectMapper().readTree(SpanFormat.ZIPKIN_JSON.encode(spans));
    assertThat(json.size()).isEqualTo(40);
    for (int i = 0; i < 40; i++) {
      var s = json.get(i);
      var want = spans.get(i);
      assertThat(s.get("name").asText()).isEqualTo(want.name());
      assertThat(s.get("id").asText()).isEqualTo(want.spanId());
      assertThat(s.has("parentId")).isEqualTo(want.parentId() != null);
      assertThat(s.get("kind").asText()).isEqualTo(want.client() ? "CLIENT" : "SERVER");
      assertThat(s.get("timestamp").asLong()).isEqualTo(want.startMicros());
      assertThat(s.get("duration").asLong()).isEqualTo(want.durationMicros());
      assertThat(s.get("localEndpoint").get("ipv4").asText()).isEqualTo("10.1.2.3");
      assertThat(s.get("remoteEndpoint").get(want.remoteIp().contains(":") ? "ipv6" : "ipv4").asText()).isEqualTo(want.remoteIp());
      assertThat(s.get("tags").get("note").asText()).isEqualTo(NAME);
      assertThat(s.get("tags").get("http.url").asText()).isEqualTo(want.tags().get("http.url"));
      assertThat(s.get("tags").has("error")).isEqualTo(i == 5);
      assertThat(s.has("debug")).isEqualTo(i == 3);
    }
  }

  @Test
  void aSpanThatFailsToWriteIsLeftOutAndTheRestStays() throws Exception {
    QueuedSpan broken = new QueuedSpan() {
      @Override
      public String serviceName() {
        return "svc";
      }

      @Override
      public void writeTo(SpanWriter w) {
        w.begin("4bf92f3577b34da6a3ce929d0e0e4736", "0000000000000009", null, true, 1, 1, false);
        throw new IllegalStateException("half-written");
      }
    };
    var out = new SpanBuffer(16);
    assertThat(SpanFormat.ZIPKIN_JSON.encode(List.of(broken, span(1, "svc", false), broken), out)).isEqualTo(2);
    var json = new ObjectMapper().readTree(java.util.Arrays.copyOf(out.array(), out.size()));
    assertThat(json.size()).isEqualTo(1);
    assertThat(json.get(0).get("id").asText()).isEqualTo("0000000000000002");
    assertThat(SpanFormat.OTLP_PROTOBUF.encode(List.of(span(1, "svc", false), broken), out)).isEqualTo(1);
    var decoded = decodeOtlp(java.util.Arrays.copyOf(out.array(), out.size()));
    assertThat(decoded.get("svc")).hasSize(1);
  }

  @Test
  void otlpProtobufDecodesToTheSameValuesGroupedByService() throws Exception {
    var spans = new ArrayList<SpanData>();
    for (int i = 0; i < 300; i++) { // ScopeSpans well over 16 KiB: three-byte length prefixes
      spans.add(span(i, i % 3 == 2 ? "other.default" : "svc.default", i == 7));
    }
    var resources = decodeOtlp(SpanFormat.OTLP_PROTOBUF.encode(spans));
    assertThat(resources.keySet()).containsExactly("svc.default", "other.default");
    assertThat(resources.get("svc.default")).hasSize(200);
    assertThat(resources.get("other.default")).hasSize(100);
    for (var decodedSpans : resources.values()) {
      for (var s : decodedSpans) {
        int i = Integer.parseInt(((String) s.get("name")).substring(NAME.length()));
        var want = spans.get(i);
        assertThat(s.get("traceId")).isEqualTo(want.traceId());
        assertThat(s.get("spanId")).isEqualTo(want.spanId());
        assertThat(s.get("parentId")).isEqualTo(want.parentId());
        assertThat(s.get("kind")).isEqualTo(want.client() ? 3L : 2L);
        assertThat(s.get("start")).isEqualTo(want.startMicros() * 1000);
        assertThat(s.get("end")).isEqualTo((want.startMicros() + want.durationMicros()) * 1000);
        @SuppressWarnings("unchecked")
        var attrs = (Map<String, String>) s.get("attributes");
        assertThat(attrs).containsEntry("note", NAME).containsEntry("http.url", want.tags().get("http.url"))
            .containsEntry("net.peer.ip", want.remoteIp()).doesNotContainKey("error");
        assertThat(s.get("statusCode")).isEqualTo(i == 7 ? 2L : null);
      }
    }
  }

  @Test
  void aReusedBatchWritesEachReportOnItsOwn() throws Exception {
    // The exporter keeps one batch per format and clears it after every report: a service of an
    // earlier report must not reappear, and its buffer serves the next service.
    var out = new SpanBuffer(64);
    var otlp = SpanFormat.OTLP_PROTOBUF.newBatch(out);
    otlp.add(span(1, "a.default", false));
    otlp.add(span(2, "b.default", false));
    otlp.add(span(3, "a.default", false));
    otlp.finish();
    var first = decodeOtlp(out.toByteArray());
    assertThat(first.keySet()).containsExactly("a.default", "b.default");
    assertThat(first.get("a.default")).hasSize(2);
    otlp.clear();
    assertThat(otlp.size()).isZero();
    otlp.add(span(4, "c.default", false));
    otlp.finish();
    var second = decodeOtlp(out.toByteArray());
    assertThat(second.keySet()).containsExactly("c.default");
    assertThat(second.get("c.default")).extracting(m -> m.get("name")).containsExactly(NAME + 4);

    var zipkin = SpanFormat.ZIPKIN_JSON.newBatch(out);
    zipkin.add(span(5, "a.default", false));
    zipkin.add(span(6, "a.default", false));
    zipkin.finish();
    assertThat(new ObjectMapper().readTree(out.toByteArray())).hasSize(2);
    zipkin.clear();
    zipkin.add(span(7, "a.default", false));
    zipkin.finish();
    var json = new ObjectMapper().readTree(out.toByteArray());
    assertThat(json).hasSize(1);
    assertThat(json.get(0).get("name").asText()).isEqualTo(NAME + 7);
  }

  /** service.name -> spans (as maps of their fields), decoded field by field from the OTLP proto numbers. */
  static Map<String, List<Map<String, Object>>> decodeOtlp(byte[] body) throws IOException {
    var result = new LinkedHashMap<String, List<Map<String, Object>>>();
    var in = CodedInputStream.newInstance(body);
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      assertThat(tag >>> 3).as("ExportTraceServiceRequest.resource_spans").isEqualTo(1);
      var rs = CodedInputStream.newInstance(in.readBytes().toByteArray());
      String service = null;
      var spans = new ArrayList<Map<String, Object>>();
      while (!rs.isAtEnd()) {
        int f = rs.readTag() >>> 3;
        var bytes = rs.readBytes().toByteArray();
        if (f == 1) { // Resource
          var r = CodedInputStream.newInstance(bytes);
          while (!r.isAtEnd()) {
            assertThat(r.readTag() >>> 3).isEqualTo(1);
            var kv = keyValue(r.readBytes().toByteArray());
            if (kv[0].equals("service.name")) {
              service = kv[1];
            }
          }
        } else if (f == 2) { // ScopeSpans
          var ss = CodedInputStream.newInstance(bytes);
          while (!ss.isAtEnd()) {
            int sf = ss.readTag() >>> 3;
            var sb = ss.readBytes().toByteArray();
            if (sf == 1) {
              var scope = CodedInputStream.newInstance(sb);
              assertThat(scope.readTag() >>> 3).isEqualTo(1);
              assertThat(scope.readString()).isEqualTo(OtlpProtobuf.SCOPE);
            } else if (sf == 2) {
              spans.add(span(sb));
            }
          }
        }
      }
      result.put(service, spans);
    }
    return result;
  }

  private static Map<String, Object> span(byte[] b) throws IOException {
    var m = new LinkedHashMap<String, Object>();
    var attrs = new LinkedHashMap<String, String>();
    m.put("attributes", attrs);
    m.put("parentId", null);
    m.put("statusCode", null);
    var in = CodedInputStream.newInstance(b);
    var hex = HexFormat.of();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      switch (tag >>> 3) {
        case 1 -> m.put("traceId", hex.formatHex(in.readBytes().toByteArray()));
        case 2 -> m.put("spanId", hex.formatHex(in.readBytes().toByteArray()));
        case 4 -> m.put("parentId", hex.formatHex(in.readBytes().toByteArray()));
        case 5 -> m.put("name", in.readString());
        case 6 -> m.put("kind", (long) in.readEnum());
        case 7 -> m.put("start", in.readFixed64());
        case 8 -> m.put("end", in.readFixed64());
        case 9 -> {
          var kv = keyValue(in.readBytes().toByteArray());
          attrs.put(kv[0], kv[1]);
        }
        case 15 -> {
          var st = CodedInputStream.newInstance(in.readBytes().toByteArray());
          assertThat(st.readTag() >>> 3).isEqualTo(3);
          m.put("statusCode", (long) st.readEnum());
        }
        default -> throw new AssertionError("unexpected span field " + (tag >>> 3));
      }
    }
    return m;
  }

  private static String[] keyValue(byte[] b) throws IOException {
    var in = CodedInputStream.newInstance(b);
    assertThat(in.readTag() >>> 3).isEqualTo(1);
    var key = in.readString();
    assertThat(in.readTag() >>> 3).isEqualTo(2);
    var any = CodedInputStream.newInstance(in.readBytes().toByteArray());
    assertThat(any.readTag() >>> 3).as("AnyValue.string_value").isEqualTo(1);
    return new String[] {key, any.readString()};
  }

  /**
   * A custom tag named like a standard one replaces it (Envoy's tags are a map), and each key is
   * written once; the check runs once per span, and the keys' escaped forms are cached per
   * writer, so two spans in one report must come out the same.
   */
  @Test
  void aCustomTagReplacesTheStandardTagOfItsNameAndEveryKeyIsWrittenOnce() throws Exception {
    var stats = new io.meshwork.proxy.stats.Stats();
    var literal = io.meshwork.proxy.config.TracingConfig.CustomTag.Kind.LITERAL;
    var plain = List.of(new io.meshwork.proxy.config.TracingConfig.CustomTag("istio.namespace", literal, "default", null));
    var replacing = List.of(new io.meshwork.proxy.config.TracingConfig.CustomTag("istio.namespace", literal, "default", null),
        new io.meshwork.proxy.config.TracingConfig.CustomTag("http.method", literal, "PATCHED", null));
    try (var tracer = new Tracer(new io.meshwork.proxy.runtime.SnapshotHolder(stats), stats)) {
      for (var custom : List.of(plain, replacing)) {
        var cfg = new io.meshwork.proxy.config.TracingConfig(io.meshwork.proxy.config.TracingConfig.Provider.ZIPKIN, "collector",
            "/api/v2/spans", null, null, 100, 100.0, 100, custom, true, 256);
        var headers = new io.netty.handler.codec.http.DefaultHttpHeaders().add("host", "backend:8080");
        var span = HttpSpan.start(tracer, cfg, headers, 1_700_000_000_000L, System.nanoTime());
        var outcome = new HttpSpan.Outcome("node~1", "req-1", "GET", "http", "backend:8080", "/x", "HTTP/1.1", "ua/1",
            200, "-", false, 0, 5, "outbound|8080||backend.default.svc.cluster.local", "10.0.0.9:8080",
            new java.net.InetSocketAddress("127.0.0.1", 40000), new java.net.InetSocketAddress("127.0.0.1", 15001));
        var q = span.ended(outcome, 10, null);
        var bytes = SpanFormat.ZIPKIN_JSON.encode(List.of(q, q));
        var text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        var json = new ObjectMapper().readTree(bytes);
        for (var s : json) {
          var tags = s.get("tags");
          assertThat(tags.get("http.method").asText()).isEqualTo(custom == plain ? "GET" : "PATCHED");
          assertThat(tags.get("istio.namespace").asText()).isEqualTo("default");
          assertThat(tags.get("http.status_code").asText()).isEqualTo("200");
          assertThat(tags.get("component").asText()).isEqualTo("proxy");
          assertThat(tags.get("http.url").asText()).isEqualTo("http://backend:8080/x");
        }
        assertThat(json.get(0)).isEqualTo(json.get(1));
        // Jackson keeps the last of duplicate keys, so count them in the text: once per span.
        assertThat(text.split("\"http\\.method\"", -1)).hasSize(3);
        assertThat(text.split("\"istio\\.namespace\"", -1)).hasSize(3);
      }
    }
  }
}
