package io.meshwork.console.ingest;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.meshwork.console.trace.TraceStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * OTLP/gRPC trace receiver: {@code opentelemetry.proto.collector.trace.v1.TraceService/Export}.
 * Messages pass through as bytes (the decoder reads them field by field), and the reply is an
 * empty {@code ExportTraceServiceResponse}, which means "all accepted".
 */
public final class OtlpGrpcReceiver implements AutoCloseable {
  static final String SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<byte[], byte[]> EXPORT = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Export"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  private final Server server;

  private OtlpGrpcReceiver(Server server) {
    this.server = server;
  }

  /** Starts the receiver on {@code address} (port 0 picks a free port). */
  public static OtlpGrpcReceiver start(InetSocketAddress address, TraceStore store) throws IOException {
    var service = ServerServiceDefinition.builder(SERVICE)
        .addMethod(EXPORT, ServerCalls.asyncUnaryCall((byte[] req, io.grpc.stub.StreamObserver<byte[]> reply) -> {
          try {
            store.add(OtlpProtoDecoder.decode(req));
            reply.onNext(new byte[0]);
            reply.onCompleted();
          } catch (IOException | RuntimeException e) {
            reply.onError(Status.INVALID_ARGUMENT.withDescription("cannot decode ExportTraceServiceRequest: " + e.getMessage()).asRuntimeException());
          }
        }))
        .build();
    Server s = NettyServerBuilder.forAddress(address).addService(service).maxInboundMessageSize(16 << 20).build().start();
    return new OtlpGrpcReceiver(s);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
