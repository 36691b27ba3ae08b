package io.meshwork.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshwork.proxy.config.ConfigException;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label computation, the metadata codecs, overrides and the Prometheus/OpenMetrics text. */
class LabelsAndFormatTest {
  static final WorkloadMetadata REVIEWS = new WorkloadMetadata("id-r", "reviews-v2-abc", "reviews-v2", "default",
      Map.of("app", "reviews", "version", "v2"), "bookinfo-reviews", "Kubernetes", "");
  static final WorkloadMetadata PRODUCTPAGE = new WorkloadMetadata("id-p", "productpage-v1-x", "productpage-v1", "default",
      Map.of("app", "productpage", "version", "v1", "service.istio.io/canonical-name", "pp"), "bookinfo-productpage", "Kubernetes", "");

  static LabelFacts facts(String code) {
    return new LabelFacts(true, PRODUCTPAGE, REVIEWS, "spiffe://cluster.local/ns/default/sa/bookinfo-productpage",
        "spiffe://cluster.local/ns/default/sa/bookinfo-reviews", DestinationService.ofHost("reviews:9080", "default"),
        "http", code, "", "-", "mutual_tls");
  }

  @Test
  void canonicalServiceAndRevisionFollowIstiosPrecedence() {
    assertThat(PRODUCTPAGE.canonicalService()).isEqualTo("pp");
    assertThat(PRODUCTPAGE.canonicalRevision()).isEqualTo("v1");
    var bare = new WorkloadMetadata("", "", "worker", "ns", Map.of(), "", "", "");
    assertThat(bare.canonicalService()).isEqualTo("worker");
    assertThat(bare.canonicalRevision()).isEqualTo("latest");
    assertThat(bare.app()).isEqualTo("unknown");
    assertThat(bare.version()).isEqualTo("unknown");
    assertThat(REVIEWS.principal("cluster.local")).isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
  }

  @Test
  void headerAndEndpointFormsRoundTrip() {
    var back = WorkloadMetadata.fromHeaderValue("id-r", REVIEWS.toHeaderValue());
    assertThat(back).isEqualTo(REVIEWS);
    assertThat(WorkloadMetadata.fromHeaderValue("x", "not base64 !")).isNull();
    var ep = WorkloadMetadata.fromEndpointWorkload(REVIEWS.toEndpointWorkload());
    assertThat(REVIEWS.toEndpointWorkload()).isEqualTo("reviews-v2;default;reviews;v2;Kubernetes");
    assertThat(ep.workload()).isEqualTo("reviews-v2");
    assertThat(ep.canonicalService()).isEqualTo("reviews");
    assertThat(ep.version()).isEqualTo("v2");
  }

  @Test
  void destinationServiceFromClusterNamesAndHosts() {
    assertThat(DestinationService.ofCluster("outbound|9080|v1|reviews.default.svc.cluster.local"))
        .isEqualTo(new DestinationService("reviews.default.svc.cluster.local", "reviews", "default"));
    assertThat(DestinationService.ofCluster("PassthroughCluster"))
        .isEqualTo(new DestinationService("unknown", "PassthroughCluster", "unknown"));
    assertThat(DestinationService.ofHost("reviews", "bookinfo").host()).isEqualTo("reviews.bookinfo.svc.cluster.local");
    assertThat(DestinationService.ofHost("ratings.prod.svc:9080", "default").namespace()).isEqualTo("prod");
    assertThat(DestinationService.ofHost("10.0.0.7:8080", "default")).isEqualTo(new DestinationService("10.0.0.7", "10.0.0.7", "unknown"));
    assertThat(DestinationService.ofHost("api.example.com", "default").namespace()).isEqualTo("unknown");
  }

  @Test
  void inboundClusterMetadataNamesTheService() {
    var svc = Struct.newBuilder().putFields("host", Value.newBuilder().setStringValue("redis.default.svc.cluster.local").build())
        .putFields("name", Value.newBuilder().setStringValue("redis").build())
        .putFields("namespace", Value.newBuilder().setStringValue("default").build());
    var istio = Struct.newBuilder().putFields("services", Value.newBuilder()
        .setListValue(ListValue.newBuilder().addValues(Value.newBuilder().setStructValue(svc))).build());
    var c = io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder().setName("inbound|6379||");
    c.getMetadataBuilder().putFilterMetadata("istio", istio.build());
    assertThat(DestinationService.ofClusterMetadata(c.build()))
        .contains(new DestinationService("redis.default.svc.cluster.local", "redis", "default"));
    assertThat(DestinationService.ofClusterMetadata(io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder().setName("inbound|6379||")
        .build())).isEmpty();
  }

  @Test
  void prometheusTextHasIstioNamesLabelsAndBuckets() {
    var metrics = new IstioMetrics();
    var cells = metrics.request(facts("200"), StatsConfig.DEFAULT, null);
    cells.requests().increment();
    cells.duration().record(3.2);
    var sb = new StringBuilder();
    metrics.render(sb, false);
    var text = sb.toString();
    var labels = "reporter=\"destination\",source_workload=\"productpage-v1\",source_canonical_service=\"pp\","
        + "source_canonical_revision=\"v1\",source_workload_namespace=\"default\","
        + "source_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-productpage\",source_app=\"productpage\","
        + "source_version=\"v1\",source_cluster=\"Kubernetes\",destination_workload=\"reviews-v2\","
        + "destination_workload_namespace=\"default\",destination_principal=\"spiffe://cluster.local/ns/default/sa/bookinfo-reviews\","
        + "destination_app=\"reviews\",destination_version=\"v2\",destination_service=\"reviews.default.svc.cluster.local\","
        + "destination_canonical_service=\"reviews\",destination_canonical_revision=\"v2\",destination_service_name=\"reviews\","
        + "destination_service_namespace=\"default\",destination_cluster=\"Kubernetes\",request_protocol=\"http\","
        + "response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\",connection_security_policy=\"mutual_tls\"";
    assertThat(text).contains("# TYPE istio_requests_total counter\nistio_requests_total{" + labels + "} 1\n");
    assertThat(text).contains("istio_request_duration_milliseconds_bucket{" + labels + ",le=\"1\"} 0\n");
    assertThat(text).contains("istio_request_duration_milliseconds_bucket{" + labels + ",le=\"5\"} 1\n");
    assertThat(text).contains("istio_request_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"} 1\n");
    assertThat(text).contains("istio_request_duration_milliseconds_sum{" + labels + "} 3.2\n");
    assertThat(text).contains("istio_request_duration_milliseconds_count{" + labels + "} 1\n");
    assertThat(text).contains("# TYPE istio_request_bytes histogram\n");
    assertThat(text).doesNotContain("istio_request_messages_total"); // not gRPC
    // the same facts hit the cached cells
    assertThat(metrics.request(facts("200"), StatsConfig.DEFAULT, null)).isSameAs(cells);
    var om = new StringBuilder();
    metrics.render(om, true);
    assertThat(om.toString()).contains("# TYPE istio_requests counter\nistio_requests_total{");
  }

  @Test
  void seriesAreCappedAndTheOverflowCounted() {
    var metrics = new IstioMetrics(8);
    for (int code = 200; code < 210; code++) {
      var c = metrics.request(facts(Integer.toString(code)), StatsConfig.DEFAULT, null);
      if (c.requests() != null) {
        c.requests().increment();
      }
    }
    assertThat(metrics.seriesCount()).isEqualTo(8);
    assertThat(metrics.overflowCount()).isPositive();
    var sb = new StringBuilder();
    metrics.render(sb, false);
    assertThat(sb.toString()).contains("meshwork_istio_series_overflow_total " + metrics.overflowCount());
  }

  static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  @Test
  void overridesDropUpsertAndRemoveTags() throws Exception {
    var config = Struct.newBuilder().putFields("metrics", Value.newBuilder().setListValue(ListValue.newBuilder()
        .addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("dimensions", Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields("request_host", str("request.host"))
                .putFields("team", str("'payments'"))
                .putFields("user_agent_class", str("request.headers['x-client']"))).build())
            .putFields("tags_to_remove", Value.newBuilder().setListValue(ListValue.newBuilder()
                .addValues(str("source_principal")).addValues(str("destination_principal"))).build())))
        .addValues(Value.newBuilder().setStructValue(Struct.newBuilder()
            .putFields("name", str("request_bytes")).putFields("drop", Value.newBuilder().setBoolValue(true).build()))))
        .build()).build();
    var stats = StatsConfig.fromStruct(config, "listeners[x]");
    assertThat(stats.dropped(IstioMetric.REQUEST_BYTES)).isTrue();
    assertThat(stats.dropped(IstioMetric.REQUESTS_TOTAL)).isFalse();
    var metrics = new IstioMetrics();
    var view = new TagExpr.RequestView() {
      public String host() { return "reviews:9080"; }
      public String method() { return "GET"; }
      public String scheme() { return "http"; }
      public String protocol() { return "http"; }
      public String header(String name) { return name.equals("x-client") ? "mobile" : null; }
      public int responseCode() { return 200; }
    };
    var cells = metrics.request(facts("200"), stats, view);
    assertThat(cells.requestBytes()).isNull();
    assertThat(cells.requests()).isNotNull();
    var labels = metrics.seriesLabels(IstioMetric.REQUESTS_TOTAL).getFirst();
    assertThat(labels).doesNotContainKeys("source_principal", "destination_principal")
        .containsEntry("request_host", "reviews:9080").containsEntry("team", "payments")
        .containsEntry("user_agent_class", "mobile").containsEntry("reporter", "destination");
    assertThat(metrics.seriesLabels(IstioMetric.REQUEST_BYTES)).isEmpty();
  }

  @Test
  void unsupportedExpressionsAndMetricsAreRefusedWithTheirPath() {
    assertThatThrownBy(() -> TagExpr.parse("request.url_path.startsWith('/x')", "p.dimensions.x"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("p.dimensions.x").hasMessageContaining("request.host");
    var bad = Struct.newBuilder().putFields("metrics", Value.newBuilder().setListValue(ListValue.newBuilder()
        .addValues(Value.newBuilder().setStructValue(Struct.newBuilder().putFields("name", str("nope"))))).build()).build();
    assertThatThrownBy(() -> StatsConfig.fromStruct(bad, "l")).isInstanceOf(ConfigException.class).hasMessageContaining("l.metrics[0].name");
    var badTag = Struct.newBuilder().putFields("metrics", Value.newBuilder().setListValue(ListValue.newBuilder()
        .addValues(Value.newBuilder().setStructValue(Struct.newBuilder().putFields("dimensions", Value.newBuilder()
            .setStructValue(Struct.newBuilder().putFields("my-tag", str("request.host"))).build())))).build()).build();
    assertThatThrownBy(() -> StatsConfig.fromStruct(badTag, "l")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("l.metrics[0].dimensions.my-tag").hasMessageContaining("Prometheus label name");
  }

  @Test
  void grpcMessagesAreCountedAcrossChunks() {
    var f = new GrpcFrames();
    // two messages of 3 and 0 bytes, split at awkward places
    f.feed(Unpooled.wrappedBuffer(new byte[] {0, 0, 0}));
    f.feed(Unpooled.wrappedBuffer(new byte[] {0, 3, 'a', 'b'}));
    assertThat(f.messages()).isEqualTo(1);
    f.feed(Unpooled.wrappedBuffer(new byte[] {'c', 0, 0, 0, 0, 0}));
    assertThat(f.messages()).isEqualTo(2);
  }

  @Test
  void peerExchangeHandlerReadsAFragmentedFrameAndPassesTheRestThrough() {
    var ch = new EmbeddedChannel(new PeerExchange(REVIEWS));
    var written = (io.netty.buffer.ByteBuf) ch.readOutbound();
    assertThat(written.getInt(0)).isEqualTo(0x3D230467);
    written.release();
    var frame = PeerExchange.encode(UnpooledByteBufAllocator.DEFAULT, PRODUCTPAGE);
    var bytes = io.netty.buffer.ByteBufUtil.getBytes(frame);
    frame.release();
    ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, 6));
    assertThat((Object) ch.readInbound()).isNull();
    var rest = new byte[bytes.length - 6 + 3];
    System.arraycopy(bytes, 6, rest, 0, bytes.length - 6);
    rest[rest.length - 3] = 'a';
    rest[rest.length - 2] = 'b';
    rest[rest.length - 1] = 'c';
    ch.writeInbound(Unpooled.wrappedBuffer(rest));
    io.netty.buffer.ByteBuf data = ch.readInbound();
    assertThat(data.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("abc");
    data.release();
    assertThat(PeerExchange.peerOf(ch)).isEqualTo(PRODUCTPAGE);
    assertThat(ch.pipeline().get(PeerExchange.class)).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void aStreamWithoutTheMagicIsPassedThroughWhole() {
    var ch = new EmbeddedChannel(new PeerExchange(REVIEWS));
    ((io.netty.buffer.ByteBuf) ch.readOutbound()).release();
    ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII));
    io.netty.buffer.ByteBuf data = ch.readInbound();
    assertThat(data.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
    data.release();
    assertThat(PeerExchange.peerOf(ch)).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void tcpBytesCountUnderThePeerLearntOnTheUpstreamConnectionBeforeTheFirstReport() {
    var telemetry = new ProxyTelemetry();
    var tcp = telemetry.tcp("outbound_tcp", "outbound|6379||redis.default.svc.cluster.local");
    tcp.opened(null, "10.0.0.5:6379");
    tcp.received(7); // the client spoke first; the upstream exchange completes afterwards
    tcp.upstreamPeer(REVIEWS);
    tcp.sent(3);
    tcp.closed();
    var labels = Map.of("reporter", "source", "destination_workload", "reviews-v2", "destination_service_name", "redis",
        "destination_service", "redis.default.svc.cluster.local");
    var m = telemetry.metrics();
    assertThat(m.counterSum(IstioMetric.TCP_RECEIVED_BYTES, labels)).isEqualTo(7);
    assertThat(m.counterSum(IstioMetric.TCP_SENT_BYTES, labels)).isEqualTo(3);
    assertThat(m.counterSum(IstioMetric.TCP_CONNECTIONS_OPENED, labels)).isEqualTo(1);
    assertThat(m.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, labels)).isEqualTo(1);
    assertThat(m.seriesLabels(IstioMetric.TCP_CONNECTIONS_OPENED)).hasSize(1);
  }
}
