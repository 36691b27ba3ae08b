package io.meshwork.proxy.mtls;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.meshwork.security.agent.CertificateTransport;
import io.meshwork.security.agent.SignedChain;
import io.meshwork.security.pki.Pem;
import io.meshwork.xds.ca.CaMessages;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent's round trip to the control plane's CA: {@code IstioCertificateService/CreateCertificate}
 * over gRPC with TLS. The control plane is verified with the mesh root the operator handed over
 * ({@code --ca-root}), so the join token is only ever sent to the real CA; the token goes in
 * {@code authorization: Bearer}. The reply's chain is leaf, intermediates, then roots: everything
 * self-signed at its end is the trust bundle.
 */
public final class GrpcCertificateTransport implements CertificateTransport, AutoCloseable {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private final ManagedChannel channel;
  private final Supplier<String> token;

  /**
   * @param target {@code host:port} of the CA (15012)
   * @param rootPem the mesh root(s) that must have issued the control plane's serving certificate
   * @param token reads the join token on each call (the file may be replaced)
   */
  public GrpcCertificateTransport(String target, String rootPem, Supplier<String> token) {
    try {
      var creds = TlsChannelCredentials.newBuilder()
          .trustManager(new ByteArrayInputStream(rootPem.getBytes(StandardCharsets.US_ASCII))).build();
      this.channel = NettyChannelBuilder.forTarget(target, creds).build();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the CA root cannot be read: " + e.getMessage(), e);
    }
    this.token = token;
  }

  @Override
  public SignedChain requestCertificate(String csrPem, Duration ttl) {
    var headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token.get().strip());
    var ch = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    var reply = ClientCalls.blockingUnaryCall(ch, CaMessages.CREATE_CERTIFICATE, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        new CaMessages.Request(csrPem, ttl == null ? 0 : ttl.toSeconds(), null));
    var chain = new ArrayList<X509Certificate>();
    for (var pem : reply.certChain()) {
      chain.addAll(Pem.certificates(pem));
    }
    if (chain.isEmpty()) {
      throw new IllegalStateException("the CA returned no certificate");
    }
    List<X509Certificate> roots = chain.stream().filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
    var leafAndIntermediates = chain.stream().filter(c -> !roots.contains(c)).toList();
    return new SignedChain(leafAndIntermediates, roots);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
