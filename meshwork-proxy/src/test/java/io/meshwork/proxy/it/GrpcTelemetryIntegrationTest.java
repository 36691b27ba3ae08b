package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.telemetry.IstioMetric;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * gRPC over h2 → h2: {@code request_protocol="grpc"}, {@code grpc_response_status} from the
 * trailer, and the message counters, counted from the gRPC length prefixes of the bodies.
 */
class GrpcTelemetryIntegrationTest {
  @Test
  void grpcRequestsCarryStatusAndMessageCounts() throws Exception {
    try (var upstream = new H2Upstream(); var proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: "outbound|50051||greeter.default.svc.cluster.local"}
        """, """
        - name: "outbound|50051||greeter.default.svc.cluster.local"
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: greeter
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(upstream.port()))); var client = new H2cClient(proxy.port("http"))) {
      // two length-prefixed messages: "hi" and "x"
      var res = client.send("POST", "greeter", "/helloworld.Greeter/SayHello", "\0\0\0\0\u0002hi\0\0\0\0\u0001x", "application/grpc");
      assertThat(res.status()).isEqualTo(200);
      var labels = Map.of("reporter", "source", "request_protocol", "grpc", "grpc_response_status", "0", "response_code", "200",
          "destination_service", "greeter.default.svc.cluster.local", "destination_service_name", "greeter");
      var metrics = proxy.server().telemetry().metrics();
      // The proxy records the request after the response reached the client, so wait for every counter.
      ProxyHarness.await(() -> metrics.counterSum(IstioMetric.REQUESTS_TOTAL, labels) == 1
          && metrics.counterSum(IstioMetric.REQUEST_MESSAGES, labels) == 2
          && metrics.counterSum(IstioMetric.RESPONSE_MESSAGES, labels) == 1);
      assertThat(metrics.counterSum(IstioMetric.REQUESTS_TOTAL, labels)).isEqualTo(1);
      assertThat(metrics.counterSum(IstioMetric.REQUEST_MESSAGES, labels)).isEqualTo(2);
      // the test upstream's body is not gRPC-framed; its first five bytes still read as one prefix
      assertThat(metrics.counterSum(IstioMetric.RESPONSE_MESSAGES, labels)).isEqualTo(1);
    }
  }
}
