package io.meshwork.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.meshwork.control.ControlPlaneExtension;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interoperability with an xDS client nobody here wrote: grpc-java's xDS resolver, proxyless,
 * resolves {@code xds:///greeter.default.svc.cluster.local:50051} through our ADS server and follows
 * an 80/20 VirtualService split between two subsets.
 */
class GrpcXdsInteropTest {
  @RegisterExtension final ControlPlaneExtension cp = new ControlPlaneExtension();

  static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<String, String> SAY_HELLO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("greeter.Greeter/SayHello")
      .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

  static Server greeter(String version) throws IOException {
    var svc = ServerServiceDefinition.builder("greeter.Greeter")
        .addMethod(SAY_HELLO, ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext(version);
          out.onCompleted();
        })).build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(svc).build().start();
  }

  static String config(int p1, int p2) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: greeter
        spec:
          selector: {app: greeter}
          ports:
          - name: grpc
            port: 50051
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: greeter-v1
        spec:
          address: 127.0.0.1
          labels: {app: greeter, version: v1}
          ports: {grpc: %d}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: greeter-v2
        spec:
          address: 127.0.0.1
          labels: {app: greeter, version: v2}
          ports: {grpc: %d}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: greeter
        spec:
          host: greeter
          subsets:
          - name: v1
            labels: {version: v1}
          - name: v2
            labels: {version: v2}
        ---
        """.formatted(p1, p2) + Fixtures.vs("greeter", "greeter", """
        http:
        - route:
          - destination: {host: greeter, subset: v1}
            weight: 80
          - destination: {host: greeter, subset: v2}
            weight: 20
        """);
  }

  @Test
  void proxylessGrpcResolvesEndpointsAndFollowsAnEightyTwentySplit() throws Exception {
    var v1 = greeter("v1");
    var v2 = greeter("v2");
    ManagedChannel channel = null;
    try {
      var r = cp.get().store().apply(ConfigStore.API, Fixtures.yaml(config(v1.getPort(), v2.getPort())));
      assertThat(r.errors()).isEmpty();
      cp.get().xds().push();
      System.setProperty("io.grpc.xds.bootstrapConfig", """
          {"xds_servers": [{"server_uri": "%s", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
           "node": {"id": "grpc-client~greeter-client", "metadata": {"GENERATOR": "grpc", "NAMESPACE": "default"}}}
          """.formatted(cp.xdsTarget()));
      channel = Grpc.newChannelBuilder("xds:///greeter.default.svc.cluster.local:50051", InsecureChannelCredentials.create()).build();
      var counts = new HashMap<String, Integer>();
      for (int i = 0; i < 1000; i++) {
        var answer = ClientCalls.blockingUnaryCall(channel, SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), "hi");
        counts.merge(answer, 1, Integer::sum);
      }
      assertThat(counts.keySet()).containsExactlyInAnyOrder("v1", "v2");
      // 80 % of 1000 is 800; the binomial standard deviation is about 13, so 720..880 fails only on a broken split.
      assertThat(counts.get("v1")).isBetween(720, 880);
      var grpcProxy = cp.get().xds().proxies().stream().filter(p -> p.id().startsWith("grpc-client")).toList();
      assertThat(grpcProxy).hasSize(1);
      assertThat(grpcProxy.getFirst().types().keySet()).containsAll(List.of("LDS", "RDS", "CDS", "EDS"));
      assertThat(grpcProxy.getFirst().types().values()).allMatch(t -> t.lastNack().isEmpty());
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      v1.shutdownNow();
      v2.shutdownNow();
      System.clearProperty("io.grpc.xds.bootstrapConfig");
    }
  }

}
