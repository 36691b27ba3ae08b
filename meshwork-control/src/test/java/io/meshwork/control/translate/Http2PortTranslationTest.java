package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ports declared gRPC or HTTP/2 (by name or appProtocol) get clusters that speak HTTP/2 upstream, on
 * the client's outbound side and the server's inbound side, as Istio's do; HTTP/1.1 and TCP ports do
 * not. Before, gRPC between two sidecars left the client sidecar as HTTP/1.1 (no trailers).
 */
class Http2PortTranslationTest {
  static final String GREETER = """
      apiVersion: v1
      kind: Service
      metadata: {name: greeter}
      spec:
        clusterIP: 10.0.0.11
        selector: {app: greeter}
        ports:
        - {name: grpc, port: 50051}
        - {name: http, port: 9080}
        - {name: api, port: 8443, appProtocol: http2}
        - {name: tcp-db, port: 7000}
      """;
  static final String HOST = "greeter.default.svc.cluster.local";

  private static boolean http2(ProxyResources r, String cluster) throws Exception {
    var c = r.clusters().get(cluster);
    assertThat(c).as(cluster).isNotNull();
    return ProxyConfigBuilder.http2(c, "clusters[" + cluster + "]");
  }

  @Test
  void outboundClustersOfGrpcAndHttp2PortsSpeakHttp2() throws Exception {
    var client = NodeInfo.sidecar("client", "default", Map.of("app", "client"), "10.0.0.9", Map.of());
    var r = MeshTlsTranslationTest.translate(client, GREETER);
    assertThat(http2(r, "outbound|50051||" + HOST)).as("grpc").isTrue();
    assertThat(http2(r, "outbound|8443||" + HOST)).as("appProtocol http2").isTrue();
    assertThat(http2(r, "outbound|9080||" + HOST)).as("http").isFalse();
    assertThat(http2(r, "outbound|7000||" + HOST)).as("tcp").isFalse();
  }

  @Test
  void theInboundClusterOfAGrpcAppPortSpeaksHttp2ToTheApp() throws Exception {
    var server = NodeInfo.sidecar("greeter", "default", Map.of("app", "greeter"), "10.0.0.12", Map.of("grpc", 50051, "http", 9080));
    var r = MeshTlsTranslationTest.translate(server, GREETER);
    assertThat(http2(r, "inbound|50051||")).isTrue();
    assertThat(http2(r, "inbound|9080||")).isFalse();
  }
}
