package io.meshwork.xds.ca;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Struct;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Istio's {@code istio.v1.auth} CA messages and method (see {@code meshwork-control/src/main/proto/istio/v1/auth/ca.proto}),
 * encoded by hand on the protobuf wire format. Two tiny messages do not justify a protoc step in
 * the build; the field numbers are Istio's, so Istio agents and Meshwork interoperate.
 */
public final class CaMessages {
  /** The full gRPC method name clients call. */
  public static final String SERVICE = "istio.v1.auth.IstioCertificateService";

  private CaMessages() {}

  /**
   * {@code IstioCertificateRequest}.
   *
   * @param csr PEM PKCS#10
   * @param validitySeconds requested lifetime in seconds (0: the CA's default)
   * @param metadata optional metadata, may be null
   */
  public record Request(String csr, long validitySeconds, Struct metadata) {
    public Request {
      csr = csr == null ? "" : csr;
    }
  }

  /** {@code IstioCertificateResponse}: leaf first, then intermediates, then the root. */
  public record Response(List<String> certChain) {
    public Response {
      certChain = List.copyOf(certChain);
    }
  }

  /** {@code CreateCertificate}, unary. */
  public static final MethodDescriptor<Request, Response> CREATE_CERTIFICATE = MethodDescriptor.<Request, Response>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "CreateCertificate"))
      .setRequestMarshaller(new RequestMarshaller())
      .setResponseMarshaller(new ResponseMarshaller())
      .build();

  public static byte[] encode(Request r) {
    try {
      var out = new ByteArrayOutputStream();
      var c = CodedOutputStream.newInstance(out);
      if (!r.csr().isEmpty()) {
        c.writeString(1, r.csr());
      }
      if (r.validitySeconds() != 0) {
        c.writeInt64(3, r.validitySeconds());
      }
      if (r.metadata() != null) {
        c.writeMessage(4, r.metadata());
      }
      c.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Request decodeRequest(InputStream in) throws IOException {
    var c = CodedInputStream.newInstance(in);
    String csr = "";
    long validity = 0;
    Struct md = null;
    for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
      switch (tag) {
        case (1 << 3) | 2 -> csr = c.readStringRequireUtf8();
        case 3 << 3 -> validity = c.readInt64();
        case (4 << 3) | 2 -> md = c.readMessage(Struct.parser(), com.google.protobuf.ExtensionRegistryLite.getEmptyRegistry());
        default -> c.skipField(tag);
      }
    }
    return new Request(csr, validity, md);
  }

  public static byte[] encode(Response r) {
    try {
      var out = new ByteArrayOutputStream();
      var c = CodedOutputStream.newInstance(out);
      for (var pem : r.certChain()) {
        c.writeString(1, pem);
      }
      c.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Response decodeResponse(InputStream in) throws IOException {
    var c = CodedInputStream.newInstance(in);
    var chain = new ArrayList<String>();
    for (int tag = c.readTag(); tag != 0; tag = c.readTag()) {
      if (tag == ((1 << 3) | 2)) {
        chain.add(c.readStringRequireUtf8());
      } else {
        c.skipField(tag);
      }
    }
    return new Response(chain);
  }

  private static final class RequestMarshaller implements MethodDescriptor.Marshaller<Request> {
    @Override
    public InputStream stream(Request value) {
      return new ByteArrayInputStream(encode(value));
    }

    @Override
    public Request parse(InputStream stream) {
      try {
        return decodeRequest(stream);
      } catch (IOException e) {
        throw io.grpc.Status.INVALID_ARGUMENT.withDescription("malformed IstioCertificateRequest: " + e.getMessage()).asRuntimeException();
      }
    }
  }

  private static final class ResponseMarshaller implements MethodDescriptor.Marshaller<Response> {
    @Override
    public InputStream stream(Response value) {
      return new ByteArrayInputStream(encode(value));
    }

    @Override
    public Response parse(InputStream stream) {
      try {
        return decodeResponse(stream);
      } catch (IOException e) {
        throw io.grpc.Status.INTERNAL.withDescription("malformed IstioCertificateResponse: " + e.getMessage()).asRuntimeException();
      }
    }
  }
}
