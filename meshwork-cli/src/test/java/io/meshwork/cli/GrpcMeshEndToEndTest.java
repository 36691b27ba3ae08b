package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.xds.client.NodeInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC between two sidecars over STRICT mesh mTLS, with real grpc-java clients and servers on real
 * sockets: a unary call answers OK with the reply, a server-returned error status (NOT_FOUND and its
 * message, carried in HTTP/2 trailers) reaches the client intact, a server-streaming call delivers
 * every message, each as it is sent (not held until the stream ends), a bidirectional ping-pong call
 * gets each reply before it sends the next message (request bodies stream too), and the destination sidecar reports the calls as gRPC
 * ({@code request_protocol="grpc"}, {@code grpc_response_status}) over {@code mutual_tls}. Once on a
 * port named {@code grpc} (HTTP/2 upstream by the port's declared protocol) and once on a port of
 * unknown protocol (sniffed: the client sidecar sees the h2c preface, its cluster follows the
 * downstream protocol and offers {@code istio-h2}). gRPC needs HTTP/2 end to end (trailers, streams):
 * a sidecar that forwards it as HTTP/1.1 breaks every call here.
 */
class GrpcMeshEndToEndTest {
  static final String SERVICE = "meshwork.test.Items";

  /** Messages are raw UTF-8 bytes: no protobuf, no generated code. */
  static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
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

  static final MethodDescriptor<String, String> GET = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Get"))
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  static final MethodDescriptor<String, String> LIST = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "List"))
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  static final MethodDescriptor<String, String> WATCH = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Watch"))
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  /** Bidirectional: answers each message at once ("echo MSG"), ends when the client does. */
  static final MethodDescriptor<String, String> CHAT = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Chat"))
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: items}
      spec:
        selector: {app: items}
        ports:
        - {name: grpc, port: 7000}
        - {name: rpc, port: 7100}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      """;

  @TempDir Path dir;
  io.grpc.Server backend;
  final AtomicInteger calls = new AtomicInteger();
  /** Released by the client once it holds Watch's first message. */
  final CountDownLatch firstSeen = new CountDownLatch(1);
  ControlPlane cp;
  XdsProxy server;
  XdsProxy client;
  int namedBind;
  int sniffedBind;
  final List<ManagedChannel> channels = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** Get answers "item NAME", or NOT_FOUND for "missing"; List streams "NAME-1".."NAME-3". */
  ServerServiceDefinition items() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(GET, ServerCalls.asyncUnaryCall((String name, io.grpc.stub.StreamObserver<String> out) -> {
          calls.incrementAndGet();
          if (name.equals("missing")) {
            out.onError(Status.NOT_FOUND.withDescription("no item named missing").asRuntimeException());
            return;
          }
          out.onNext("item " + name);
          out.onCompleted();
        }))
        .addMethod(LIST, ServerCalls.asyncServerStreamingCall((String name, io.grpc.stub.StreamObserver<String> out) -> {
          calls.incrementAndGet();
          for (int i = 1; i <= 3; i++) {
            out.onNext(name + "-" + i);
          }
          out.onCompleted();
        }))
        .addMethod(WATCH, ServerCalls.asyncServerStreamingCall((String name, io.grpc.stub.StreamObserver<String> out) -> {
          out.onNext(name + " first");
          // The second message waits until the client saw the first: a sidecar that held the stream's
          // messages back until its end would make the client see nothing until this wait gives up.
          Thread.ofVirtual().start(() -> {
            try {
              out.onNext(name + (firstSeen.await(60, TimeUnit.SECONDS) ? " second" : " second after the client saw nothing for 60 s"));
              out.onCompleted();
            } catch (InterruptedException e) {
              out.onError(Status.CANCELLED.asRuntimeException());
            }
          });
        }))
        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall((io.grpc.stub.StreamObserver<String> out) ->
            new io.grpc.stub.StreamObserver<String>() {
              @Override
              public void onNext(String value) {
                out.onNext("echo " + value);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                out.onCompleted();
              }
            }))
        .build();
  }

  @BeforeEach
  void start() throws Exception {
    backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(items()).build().start();
    int namedInbound = MeshMtlsEndToEndTest.freePort();
    int sniffedInbound = MeshMtlsEndToEndTest.freePort();
    namedBind = MeshMtlsEndToEndTest.freePort();
    sniffedBind = MeshMtlsEndToEndTest.freePort();
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", MESH));
    assertThat(result.errors()).isEmpty();
    var root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    server = sidecar(root, "items", NodeInfo.sidecar("items-v1", "default", Map.of("app", "items"), "127.0.0.1",
        Map.of("grpc", backend.getPort(), "rpc", backend.getPort()))
        .withInboundPorts(Map.of("grpc", namedInbound, "rpc", sniffedInbound)));
    client = sidecar(root, "client", NodeInfo.sidecar("client-v1", "default", Map.of("app", "client"), "127.0.0.1", Map.of())
        .withUpstreamBinds(Map.of("items:7000", "127.0.0.1:" + namedBind, "items:7100", "127.0.0.1:" + sniffedBind)));
  }

  XdsProxy sidecar(Path root, String sa, NodeInfo node) throws Exception {
    var token = dir.resolve(sa + ".token");
    cp.ca().issueJoinToken("default", sa, null, token);
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", sa), null,
        KeyAlgorithm.EC_P256);
    var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node.withServiceAccount(sa), new InetSocketAddress("127.0.0.1", 0), 1,
        System.out, System.err, identity);
    assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
    return proxy;
  }

  @AfterEach
  void stop() throws Exception {
    for (var ch : channels) {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    for (var p : new XdsProxy[] {client, server}) {
      if (p != null) {
        p.close();
      }
    }
    if (cp != null) {
      cp.close();
    }
    if (backend != null) {
      backend.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** A plaintext (h2c) channel to the client sidecar's outbound bind address for the service port, as the app would use. */
  ManagedChannel channel(int bind) {
    var ch = NettyChannelBuilder.forAddress("127.0.0.1", bind).usePlaintext().overrideAuthority("items:" + (bind == namedBind ? 7000 : 7100))
        .build();
    channels.add(ch);
    return ch;
  }

  /**
   * The first successful unary call through the mesh; the first configs may lag (a listener not yet
   * bound, a cluster without endpoints), so any failure is retried until a generous deadline; the
   * last one is reported (without HTTP/2 upstream on the grpc port: UNKNOWN, "HTTP status code 999").
   */
  String firstCall(ManagedChannel ch, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    StatusRuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return ClientCalls.blockingUnaryCall(ch, GET, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), name);
      } catch (StatusRuntimeException e) {
        last = e; // UNAVAILABLE (no certificate or endpoint yet), UNIMPLEMENTED (a route not yet there), ...
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no gRPC answer through the mesh in 30 s; last " + last, last);
  }

  String call(ManagedChannel ch, String name) {
    return ClientCalls.blockingUnaryCall(ch, GET, CallOptions.DEFAULT.withDeadlineAfter(15, TimeUnit.SECONDS), name);
  }

  List<String> list(ManagedChannel ch, String name) {
    var out = new ArrayList<String>();
    ClientCalls.blockingServerStreamingCall(ch, LIST, CallOptions.DEFAULT.withDeadlineAfter(15, TimeUnit.SECONDS), name)
        .forEachRemaining(out::add);
    return out;
  }

  String scrape(XdsProxy proxy) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().prometheusPort() + "/stats/prometheus"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The destination sidecar's istio_requests_total lines, once one with grpc_response_status {@code code} shows up. */
  List<String> destinationRequests(String code) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String metrics = scrape(server);
    while (!metrics.contains("grpc_response_status=\"" + code + "\"") && System.nanoTime() < deadline) {
      Thread.sleep(100);
      metrics = scrape(server);
    }
    var lines = metrics.lines().filter(l -> l.startsWith("istio_requests_total{reporter=\"destination\"")).toList();
    assertThat(lines).as(metrics).isNotEmpty();
    return lines;
  }

  /** Unary OK, unary error status, server streaming, and the destination's gRPC metrics, through {@code bind}. */
  void grpcThroughTheMesh(int bind) throws Exception {
    var ch = channel(bind);
    assertThat(firstCall(ch, "a")).isEqualTo("item a");
    assertThat(call(ch, "b")).isEqualTo("item b");

    int before = calls.get();
    assertThatThrownBy(() -> call(ch, "missing")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(e.getStatus().getDescription()).isEqualTo("no item named missing");
    });
    assertThat(calls.get()).as("the error came from the app, not from a sidecar").isEqualTo(before + 1);

    assertThat(list(ch, "x")).containsExactly("x-1", "x-2", "x-3");

    // Streamed messages pass one by one, not when the stream ends.
    var watch = ClientCalls.blockingServerStreamingCall(ch, WATCH, CallOptions.DEFAULT.withDeadlineAfter(90, TimeUnit.SECONDS), "w");
    assertThat(watch.next()).isEqualTo("w first");
    firstSeen.countDown();
    assertThat(watch.next()).isEqualTo("w second");
    assertThat(watch.hasNext()).isFalse();

    // Bidirectional ping-pong: each reply must come back before the next message is sent. With
    // request bodies held until the client's half-close, the first reply would never come.
    var replies = new java.util.concurrent.LinkedBlockingQueue<String>();
    var end = new java.util.concurrent.CompletableFuture<Status>();
    var chat = ClientCalls.asyncBidiStreamingCall(ch.newCall(CHAT, CallOptions.DEFAULT.withDeadlineAfter(90, TimeUnit.SECONDS)),
        new io.grpc.stub.StreamObserver<String>() {
          @Override
          public void onNext(String value) {
            replies.add(value);
          }

          @Override
          public void onError(Throwable t) {
            end.complete(Status.fromThrowable(t));
          }

          @Override
          public void onCompleted() {
            end.complete(Status.OK);
          }
        });
    for (var m : List.of("ping", "pong", "last")) {
      chat.onNext(m);
      assertThat(replies.poll(30, TimeUnit.SECONDS)).as("the reply to %s before the client half-closes", m).isEqualTo("echo " + m);
    }
    chat.onCompleted();
    assertThat(end.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);

    var destination = destinationRequests("5");
    assertThat(destination).anySatisfy(l -> assertThat(l).contains("request_protocol=\"grpc\"", "response_code=\"200\"",
        "grpc_response_status=\"0\"", "source_workload=\"client-v1\"", "destination_workload=\"items-v1\"",
        "connection_security_policy=\"mutual_tls\""));
    assertThat(destination).anySatisfy(l -> assertThat(l).contains("request_protocol=\"grpc\"", "grpc_response_status=\"5\"",
        "connection_security_policy=\"mutual_tls\""));
  }

  @Test
  void grpcOnAPortNamedGrpcPassesBetweenSidecarsWithStatusTrailersAndStreams() throws Exception {
    grpcThroughTheMesh(namedBind);
  }

  @Test
  void grpcOnAnUnnamedSniffedPortPassesBetweenSidecarsWithStatusTrailersAndStreams() throws Exception {
    grpcThroughTheMesh(sniffedBind);
  }
}
