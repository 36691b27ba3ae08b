package io.meshwork.proxy.mtls;

import io.meshwork.security.agent.CertificateRotator;
import io.meshwork.security.agent.Scheduler;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The proxy's certificate agent (Istio's pilot-agent SDS server, in process): proves the workload's
 * identity with its join token, gets a certificate for a key it generated, renews it at half-life
 * with jitter ({@link CertificateRotator}), and installs every new key, chain and trust bundle in
 * the {@link SecretStore} the TLS contexts read. Nothing is written to disk.
 */
public final class WorkloadAgent implements AutoCloseable {
  private final GrpcCertificateTransport transport;
  private final CertificateRotator rotator;
  private final ScheduledExecutorService executor;
  private final SecretStore secrets;

  private WorkloadAgent(GrpcCertificateTransport transport, CertificateRotator rotator, ScheduledExecutorService executor,
      SecretStore secrets) {
    this.transport = transport;
    this.rotator = rotator;
    this.executor = executor;
    this.secrets = secrets;
  }

  /**
   * What the agent needs.
   *
   * @param caAddress the CA's {@code host:port} (the control plane, 15012)
   * @param joinTokenFile the {@code 0600} file {@code meshwork token create} wrote
   * @param caRootFile the mesh root PEM (verifies the CA; {@code meshwork token create} writes it next to the token)
   * @param identity the identity the token proves
   * @param ttl the certificate lifetime to ask for (24 h by default; the CA may grant less)
   * @param keyAlgorithm ECDSA P-256 (default) or RSA 2048
   */
  public record Options(String caAddress, Path joinTokenFile, Path caRootFile, SpiffeId identity, Duration ttl, KeyAlgorithm keyAlgorithm) {}

  /** Starts the agent; the first certificate is requested at once (see {@link SecretStore#awaitFirst}). */
  public static WorkloadAgent start(Options o, SecretStore secrets) throws IOException {
    secrets.markRequested();
    if (!Files.isReadable(o.joinTokenFile())) {
      throw new IOException(o.joinTokenFile() + ": join token file not found or not readable; create one with 'meshwork token create'");
    }
    if (!Files.isReadable(o.caRootFile())) {
      throw new IOException(o.caRootFile() + ": CA root file not found or not readable; 'meshwork token create' writes it next to the token");
    }
    var root = Files.readString(o.caRootFile());
    var transport = new GrpcCertificateTransport(o.caAddress(), root, () -> {
      try {
        return Files.readString(o.joinTokenFile());
      } catch (IOException e) {
        throw new UncheckedIOException(o.joinTokenFile() + " cannot be read: " + e.getMessage(), e);
      }
    });
    var executor = Executors.newSingleThreadScheduledExecutor(r -> {
      var t = new Thread(r, "meshwork-cert-agent");
      t.setDaemon(true);
      return t;
    });
    var rotator = CertificateRotator.builder(o.identity())
        .keyAlgorithm(o.keyAlgorithm() == null ? KeyAlgorithm.EC_P256 : o.keyAlgorithm())
        .ttl(o.ttl() == null ? Duration.ofHours(24) : o.ttl())
        .transport(transport)
        .listener(secrets::update)
        .scheduler(Scheduler.of(executor))
        .build();
    rotator.start();
    return new WorkloadAgent(transport, rotator, executor, secrets);
  }

  public SecretStore secrets() {
    return secrets;
  }

  public CertificateRotator rotator() {
    return rotator;
  }

  @Override
  public void close() {
    rotator.stop();
    executor.shutdownNow();
    transport.close();
  }
}
