package io.meshwork.control.ca;

import io.meshwork.xds.ca.CaMessages;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.meshwork.security.ca.AuthenticationException;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CallerCredential;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.ca.IdentityVerifier;
import io.meshwork.security.ca.JoinTokens;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The certificate service on 15012: Istio's {@code IstioCertificateService/CreateCertificate}
 * over gRPC with TLS. The serving certificate is issued by the mesh CA itself (SANs: the bind
 * address, {@code localhost}, {@code 127.0.0.1} and any configured names), so an agent that holds
 * the root verifies the control plane before it sends its token.
 *
 * <p>Callers authenticate with {@code authorization: Bearer <join token>} (or, with a
 * {@link CaSource}, whatever it accepts: a pod's ServiceAccount token in Kubernetes mode); the token proves a
 * namespace and service account, the certificate is issued for exactly that identity, and a CSR
 * that asks for a different SPIFFE ID is refused ({@code PERMISSION_DENIED}) rather than silently
 * re-targeted, so a misconfigured agent learns at once.
 */
public final class CaServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CaServer.class.getName());
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> BEARER = Context.key("meshwork-bearer");

  private final CertificateAuthority ca;
  private final JoinTokens tokens;
  private final IdentityVerifier verifier;
  private final Server server;

  private CaServer(CertificateAuthority ca, JoinTokens tokens, IdentityVerifier verifier, Server server) {
    this.ca = ca;
    this.tokens = tokens;
    this.verifier = verifier;
    this.server = server;
  }

  /**
   * Loads (or creates) the CA and starts serving on {@code host:settings.port()}.
   *
   * @param verifier how callers prove who they are; null: join tokens only (local mode). The
   *     Kubernetes mode uses {@link #startWith} with a {@link CaSource} instead.
   */
  public static CaServer start(CaSettings settings, String host, IdentityVerifier verifier) throws IOException {
    return start(settings, host, verifier, null);
  }

  /**
   * Serves a CA supplied from outside (Kubernetes mode: the shared root, ServiceAccount tokens) on
   * {@code host:settings.port()}. No join token store is opened and none can be issued: callers are
   * authenticated by {@code source.callers()} only. {@code settings.stateDir()} is not used.
   */
  public static CaServer startWith(CaSettings settings, String host, CaSource source) throws IOException {
    return start(settings, host, source.callers(), source);
  }

  private static CaServer start(CaSettings settings, String host, IdentityVerifier verifier, CaSource source) throws IOException {
    var clock = Clock.systemUTC();
    var options = CaOptions.defaults().withTrustDomain(settings.trustDomain());
    CertificateAuthority ca;
    if (source != null) {
      ca = source.authority();
    } else if (settings.plugIn()) {
      if (settings.caCert() == null || settings.caKey() == null || settings.rootCert() == null) {
        throw new IOException("a plug-in CA needs --ca-cert, --ca-key and --root-cert (and --ca-chain when there are intermediates)");
      }
      ca = CertificateAuthority.plugIn(settings.caCert(), settings.caKey(), settings.caChain(), settings.rootCert(), options, clock);
    } else {
      ca = CertificateAuthority.selfSigned(settings.stateDir(), options, clock);
    }
    var tokens = source != null ? null : JoinTokens.open(settings.stateDir(), settings.trustDomain(), clock);
    var names = new LinkedHashSet<String>(List.of("localhost", "127.0.0.1"));
    if (host != null && !host.isBlank() && !host.equals("0.0.0.0") && !host.equals("::")) {
      names.add(host);
    }
    names.addAll(settings.serverNames());
    var dns = new ArrayList<String>();
    var ips = new ArrayList<String>();
    for (var n : names) {
      (isIp(n) ? ips : dns).add(n);
    }
    var serving = ca.issueServing(dns, ips, CaSettings.SERVING_TTL);
    var creds = TlsServerCredentials.newBuilder()
        .keyManager(stream(Pem.encode(serving.chain())), stream(Pem.encode(serving.key())))
        .build();
    var v = verifier == null ? tokens : verifier;
    var holder = new CaServer[1];
    ServerServiceDefinition service = ServerServiceDefinition.builder(CaMessages.SERVICE)
        .addMethod(CaMessages.CREATE_CERTIFICATE, ServerCalls.asyncUnaryCall((req, out) -> holder[0].create(req, out)))
        .build();
    var bind = new InetSocketAddress(host == null ? "127.0.0.1" : host, settings.port());
    var server = NettyServerBuilder.forAddress(bind, creds)
        .addService(ServerInterceptors.intercept(service, new BearerInterceptor()))
        .maxInboundMessageSize(256 * 1024)
        .build();
    var s = new CaServer(ca, tokens, v, server);
    holder[0] = s;
    server.start();
    LOG.info("certificate service (IstioCertificateService) on " + bind.getHostString() + ":" + server.getPort()
        + ", trust domain " + settings.trustDomain() + (source != null ? ", callers: " + source.describe()
            : settings.plugIn() ? ", plug-in CA" : ", root in " + settings.stateDir()));
    return s;
  }

  private void create(CaMessages.Request req, StreamObserver<CaMessages.Response> out) {
    var bearer = BEARER.get();
    if (bearer == null || bearer.isBlank()) {
      out.onError(Status.UNAUTHENTICATED.withDescription(tokens != null ? "send the join token as 'authorization: Bearer <token>'"
          : "send the pod's ServiceAccount token as 'authorization: Bearer <token>'").asRuntimeException());
      return;
    }
    SpiffeId identity;
    try {
      identity = verifier.verify(new CallerCredential(bearer.startsWith(JoinTokens.PREFIX) ? CallerCredential.JOIN_TOKEN
          : CallerCredential.KUBERNETES_TOKEN, bearer));
    } catch (AuthenticationException e) {
      out.onError(Status.UNAUTHENTICATED.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    try {
      var csr = Pem.csr(req.csr());
      var asked = requestedUris(csr);
      for (var uri : asked) {
        if (!uri.equals(identity.uri())) {
          var hint = uri.startsWith("spiffe://" + identity.trustDomain() + "/") ? ""
              : " (this CA's trust domain is " + identity.trustDomain() + ": start the proxy with --trust-domain "
                  + identity.trustDomain() + ")";
          out.onError(Status.PERMISSION_DENIED.withDescription("the certificate request asks for " + uri + " but the token proves "
              + identity.uri() + hint).asRuntimeException());
          return;
        }
      }
      Duration ttl = req.validitySeconds() > 0 ? Duration.ofSeconds(req.validitySeconds()) : null;
      var issued = ca.sign(csr, identity, ttl);
      var chain = new ArrayList<String>();
      for (var c : issued.chainWithRoot()) {
        chain.add(Pem.encode(c));
      }
      // Roots beyond the signing one (a staged or retired root during a rotation) follow, so the
      // agent learns the whole trust bundle from the same reply.
      for (var r : issued.trustBundle()) {
        if (!r.equals(issued.root())) {
          chain.add(Pem.encode(r));
        }
      }
      out.onNext(new CaMessages.Response(chain));
      out.onCompleted();
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      out.onError(Status.INTERNAL.withDescription("signing failed: " + e.getMessage()).asRuntimeException());
    }
  }

  private static List<String> requestedUris(PKCS10CertificationRequest csr) {
    var out = new ArrayList<String>();
    for (var attr : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (var v : attr.getAttrValues()) {
        var ext = Extensions.getInstance(v);
        var san = ext.getExtension(Extension.subjectAlternativeName);
        if (san == null) {
          continue;
        }
        for (var n : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
          if (n.getTagNo() == GeneralName.uniformResourceIdentifier) {
            out.add(n.getName().toString());
          }
        }
      }
    }
    return out;
  }

  /** The signing authority (root rotation, trust bundle). */
  public CertificateAuthority authority() {
    return ca;
  }

  /** The current mesh root as PEM: what agents pass as {@code --ca-root}. */
  public String rootPem() {
    return Pem.encode(ca.trustBundle().certificates(java.time.Instant.now()));
  }

  /**
   * Issues a join token for a workload and writes it to {@code file} ({@code 0600}) when not null.
   *
   * @param ttl token lifetime, or null for no expiry
   */
  public String issueJoinToken(String namespace, String serviceAccount, Duration ttl, Path file) throws IOException {
    if (tokens == null) {
      throw new IOException("this control plane issues no join tokens: its callers prove their identity otherwise ("
          + "in Kubernetes mode with their pod's ServiceAccount token)");
    }
    return tokens.issue(namespace, serviceAccount, ttl, file);
  }

  /** The join token store (revocation), or null when the CA came from a {@link CaSource}. */
  public JoinTokens joinTokens() {
    return tokens;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isIp(String s) {
    if (!s.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static ByteArrayInputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
  }

  /** Moves the bearer token from the call metadata into the call's context. */
  private static final class BearerInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      var auth = headers.get(AUTHORIZATION);
      String token = null;
      if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = auth.substring(7).strip();
      }
      return Contexts.interceptCall(Context.current().withValue(BEARER, token), call, headers, next);
    }
  }
}
