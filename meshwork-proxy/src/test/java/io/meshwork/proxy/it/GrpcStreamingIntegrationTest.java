package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshwork.proxy.telemetry.IstioMetric;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client-streaming and bidirectional gRPC through one proxy (h2c in, h2c out), with grpc-java on
 * both ends over real sockets. The proxy forwards a gRPC request's head once routed and each DATA
 * frame as it arrives, so a call whose client waits for the server before it sends more makes
 * progress; with request bodies aggregated (the proxy before this), every such call waits for the
 * client's half-close and these tests time out waiting for the first reply. Also: cancelling the
 * client's call resets the upstream stream (the server sees the cancellation) and frees the
 * cluster's request slot, the metrics count a stream's messages once it ends, and a retry replays
 * what the client had sent, but only while that fits the retry buffer.
 */
class GrpcStreamingIntegrationTest {
  static final String SERVICE = "meshwork.test.Stream";
  static final long WAIT_SECONDS = 30;

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

  static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<String, String>newBuilder().setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
  }

  /** Echoes each message at once ("echo MSG"); completes when the client does. */
  static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);
  /** Answers once, at the client's half-close, with the messages joined by commas. */
  static final MethodDescriptor<String, String> COLLECT = method("Collect", MethodDescriptor.MethodType.CLIENT_STREAMING);
  /** First attempt: fails UNAVAILABLE after its first message; later attempts echo like Chat. */
  static final MethodDescriptor<String, String> FLAKY = method("Flaky", MethodDescriptor.MethodType.BIDI_STREAMING);

  /** Reads nothing until {@link #drain} opens, then counts the messages (their total size) at the half-close. */
  static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.CLIENT_STREAMING);

  Server backend;
  /** The mirror cluster's server: records the Collect messages it gets (as shadow requests). */
  Server shadowBackend;
  final BlockingQueue<String> shadowed = new LinkedBlockingQueue<>();
  final CountDownLatch drain = new CountDownLatch(1);
  ProxyHarness proxy;
  ManagedChannel channel;
  /** Messages Collect received so far, in order, as the server saw them. */
  final BlockingQueue<String> collected = new LinkedBlockingQueue<>();
  final CountDownLatch serverSawCancel = new CountDownLatch(1);
  final AtomicInteger flakyAttempts = new AtomicInteger();

  ServerServiceDefinition shadowService() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
          @Override
          public void onNext(String value) {
            shadowed.add(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onNext("shadow");
            out.onCompleted();
          }
        }))
        .build();
  }

  ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(this::echo))
        .addMethod(COLLECT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
          final List<String> all = new ArrayList<>();

          @Override
          public void onNext(String value) {
            all.add(value);
            collected.add(value);
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onNext(String.join(",", all));
            out.onCompleted();
          }
        }))
        .addMethod(SLOW, ServerCalls.asyncClientStreamingCall(out -> {
          var call = (ServerCallStreamObserver<String>) out;
          call.disableAutoRequest();
          Thread.ofVirtual().start(() -> {
            try {
              if (drain.await(60, TimeUnit.SECONDS)) {
                call.request(Integer.MAX_VALUE);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          return new StreamObserver<String>() {
            long count;
            long bytes;

            @Override
            public void onNext(String value) {
              count++;
              bytes += value.length();
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {
              out.onNext(count + " messages, " + bytes + " bytes");
              out.onCompleted();
            }
          };
        }))
        .addMethod(FLAKY, ServerCalls.asyncBidiStreamingCall(out -> {
          if (flakyAttempts.incrementAndGet() > 1) {
            return echo(out);
          }
          return new StreamObserver<String>() {
            @Override
            public void onNext(String value) {
              out.onError(Status.UNAVAILABLE.withDescription("first attempt fails").asRuntimeException());
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          };
        }))
        .build();
  }

  StreamObserver<String> echo(StreamObserver<String> out) {
    ((ServerCallStreamObserver<String>) out).setOnCancelHandler(serverSawCancel::countDown);
    return new StreamObserver<>() {
      @Override
      public void onNext(String value) {
        out.onNext("echo " + value.length() + " " + (value.length() > 20 ? value.substring(0, 20) : value));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onCompleted();
      }
    };
  }

  @BeforeEach
  void start() throws Exception {
    backend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service()).build().start();
    shadowBackend = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(shadowService()).build()
        .start();
    proxy = ProxyHarness.start(http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/meshwork.test.Stream/Flaky"}
            route:
              cluster: "outbound|7000||stream.default.svc.cluster.local"
              retry_policy: {retry_on: unavailable, num_retries: 1}
          - match: {prefix: "/meshwork.test.Stream/Collect"}
            route:
              cluster: "outbound|7000||stream.default.svc.cluster.local"
              request_mirror_policies: [{cluster: shadow}]
          - match: {prefix: "/"}
            route: {cluster: "outbound|7000||stream.default.svc.cluster.local"}
        """, """
        - name: "outbound|7000||stream.default.svc.cluster.local"
          connect_timeout: 1s
          circuit_breakers: {thresholds: [{max_requests: 1}]}
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: stream
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        - name: shadow
          connect_timeout: 1s
          typed_extension_protocol_options:
            envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
              "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
              explicit_http_config: {http2_protocol_options: {}}
          load_assignment:
            cluster_name: shadow
            endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(backend.getPort(), shadowBackend.getPort())));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", proxy.port("http")).usePlaintext()
        .overrideAuthority("stream.default.svc.cluster.local:7000").build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (shadowBackend != null) {
      shadowBackend.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** A bidi call whose replies land in a queue; its end (null or the error) completes {@code end}. */
  record Bidi(ClientCallStreamObserver<String> requests, BlockingQueue<String> replies, CompletableFuture<Status> end) {
    String next() throws InterruptedException {
      var r = replies.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(r).as("a reply within %d s (the proxy held the request back?) end=%s", WAIT_SECONDS, end).isNotNull();
      return r;
    }
  }

  Bidi bidi(MethodDescriptor<String, String> method) {
    var replies = new LinkedBlockingQueue<String>();
    var end = new CompletableFuture<Status>();
    var requests = new CompletableFuture<ClientCallStreamObserver<String>>();
    var call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(90, TimeUnit.SECONDS));
    ClientCalls.asyncBidiStreamingCall(call, new ClientResponseObserver<String, String>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<String> r) {
        requests.complete(r);
      }

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
    return new Bidi(requests.join(), replies, end);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("waited %d s for %s", WAIT_SECONDS, what).isTrue();
      Thread.sleep(10);
    }
  }

  /** The access log line containing {@code fragment}, waiting for it (lines are written asynchronously). */
  String logLine(String fragment) throws InterruptedException {
    await("an access log line with " + fragment, () -> proxy.logLines().stream().anyMatch(l -> l.contains(fragment)));
    return proxy.logLines().stream().filter(l -> l.contains(fragment)).findFirst().orElseThrow();
  }

  @Test
  void bidiPingPongGetsEachReplyBeforeTheNextMessage() throws Exception {
    var call = bidi(CHAT);
    for (var m : List.of("ping", "pong", "again")) {
      call.requests().onNext(m);
      assertThat(call.next()).isEqualTo("echo " + m.length() + " " + m);
    }
    call.requests().onCompleted();
    assertThat(call.end().get(WAIT_SECONDS, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(call.replies()).isEmpty();
  }

  @Test
  void clientStreamingMessagesReachTheServerBeforeTheHalfClose() throws Exception {
    var answer = new CompletableFuture<String>();
    var requests = ClientCalls.asyncClientStreamingCall(
        channel.newCall(COLLECT, CallOptions.DEFAULT.withDeadlineAfter(90, TimeUnit.SECONDS)), new StreamObserver<String>() {
          @Override
          public void onNext(String value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    for (var m : List.of("a", "b", "c", "d")) {
      requests.onNext(m);
      // The server holds each message while the client has not half-closed.
      assertThat(collected.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("message %s at the server before the half-close", m)
          .isEqualTo(m);
    }
    requests.onCompleted();
    assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("a,b,c,d");
    assertThat(logLine("/meshwork.test.Stream/Collect")).contains("\" 200 - ");
    assertThat(collected).isEmpty();
    // The route mirrors to the shadow cluster: the streamed request goes there whole once the client half-closed.
    for (var m : List.of("a", "b", "c", "d")) {
      assertThat(shadowed.poll(WAIT_SECONDS, TimeUnit.SECONDS)).as("shadowed message %s", m).isEqualTo(m);
    }
    assertThat(proxy.stat("cluster.outbound|7000||stream.default.svc.cluster.local.upstream_rq_total")).isEqualTo(1);
  }

  @Test
  void cancellingTheClientCallResetsTheUpstreamStreamAndFreesTheRequestSlot() throws Exception {
    var cluster = "cluster.outbound|7000||stream.default.svc.cluster.local.";
    long cancelledBefore = proxy.stat(cluster + "upstream_rq_cancelled");
    var call = bidi(CHAT);
    call.requests().onNext("hello");
    assertThat(call.next()).isEqualTo("echo 5 hello"); // the upstream stream is open
    call.requests().cancel("client gives up", null);
    assertThat(serverSawCancel.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("the server saw its stream cancelled").isTrue();
    await("upstream_rq_cancelled", () -> proxy.stat(cluster + "upstream_rq_cancelled") == cancelledBefore + 1);
    assertThat(logLine("/meshwork.test.Stream/Chat")).contains(" DC ");

    // max_requests is 1: a slot still held by the cancelled call would make this one overflow (UNAVAILABLE).
    var next = bidi(CHAT);
    next.requests().onNext("after");
    assertThat(next.next()).isEqualTo("echo 5 after");
    next.requests().onCompleted();
    assertThat(next.end().get(WAIT_SECONDS, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void anUpstreamResetMidStreamResetsTheClientsStream() throws Exception {
    var call = bidi(CHAT);
    call.requests().onNext("hello");
    assertThat(call.next()).isEqualTo("echo 5 hello"); // the response has started
    backend.shutdownNow(); // resets the server's streams and closes its connections
    var status = call.end().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(status.getCode()).as(status.toString()).isNotEqualTo(Status.Code.OK);
    assertThat(logLine("/meshwork.test.Stream/Chat")).containsPattern("\" 200 U[RC] ");
  }

  @Test
  void metricsAndAccessLogCountTheStreamsMessagesOnceAtItsEnd() throws Exception {
    var call = bidi(CHAT);
    for (var m : List.of("one", "two", "three")) {
      call.requests().onNext(m);
      call.next();
    }
    var labels = Map.of("reporter", "source", "request_protocol", "grpc", "grpc_response_status", "0",
        "destination_service", "stream.default.svc.cluster.local");
    var metrics = proxy.server().telemetry().metrics();
    assertThat(metrics.counterSum(IstioMetric.REQUESTS_TOTAL, labels)).as("not recorded before the stream ends").isZero();
    call.requests().onCompleted();
    assertThat(call.end().get(WAIT_SECONDS, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    await("the call's metrics", () -> metrics.counterSum(IstioMetric.REQUESTS_TOTAL, labels) == 1
        && metrics.counterSum(IstioMetric.REQUEST_MESSAGES, labels) == 3
        && metrics.counterSum(IstioMetric.RESPONSE_MESSAGES, labels) == 3);
    assertThat(metrics.counterSum(IstioMetric.REQUEST_MESSAGES, labels)).isEqualTo(3);
    assertThat(metrics.counterSum(IstioMetric.RESPONSE_MESSAGES, labels)).isEqualTo(3);
    // One access log line; request bytes are the three length-prefixed messages: 5+3 + 5+3 + 5+5.
    var line = logLine("/meshwork.test.Stream/Chat");
    assertThat(line).contains("\" 200 - 26 ");
    assertThat(proxy.logLines().stream().filter(l -> l.contains("/meshwork.test.Stream/Chat"))).hasSize(1);
  }

  @Test
  void aServerThatDoesNotReadHoldsTheClientBackAndThenGetsEverything() throws Exception {
    var answer = new CompletableFuture<String>();
    var requests = ClientCalls.asyncClientStreamingCall(
        channel.newCall(SLOW, CallOptions.DEFAULT.withDeadlineAfter(90, TimeUnit.SECONDS)), new StreamObserver<String>() {
          @Override
          public void onNext(String value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    // 3 MiB: more than the server's and the proxy's HTTP/2 windows, so the proxy has to stop reading
    // the client while the server reads nothing, and to read again once it does.
    var message = "m".repeat(128 * 1024);
    for (int i = 0; i < 24; i++) {
      requests.onNext(message);
    }
    requests.onCompleted();
    drain.countDown();
    assertThat(answer.get(60, TimeUnit.SECONDS)).isEqualTo("24 messages, " + 24 * 128 * 1024 + " bytes");
  }

  @Test
  void aRetryReplaysWhatTheClientSentWhileItFitsTheRetryBuffer() throws Exception {
    var call = bidi(FLAKY);
    call.requests().onNext("first");
    // Attempt 1 fails UNAVAILABLE on "first"; the retry gets "first" again and echoes it.
    assertThat(call.next()).isEqualTo("echo 5 first");
    call.requests().onNext("second");
    assertThat(call.next()).isEqualTo("echo 6 second");
    call.requests().onCompleted();
    assertThat(call.end().get(WAIT_SECONDS, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    assertThat(flakyAttempts.get()).isEqualTo(2);
  }

  @Test
  void pastTheRetryBufferTheAttemptsOutcomeStands() throws Exception {
    var call = bidi(FLAKY);
    call.requests().onNext("x".repeat(1_200_000)); // more than the 1 MiB kept for a retry
    var status = call.end().get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("first attempt fails");
    assertThat(flakyAttempts.get()).isEqualTo(1);
  }
}
