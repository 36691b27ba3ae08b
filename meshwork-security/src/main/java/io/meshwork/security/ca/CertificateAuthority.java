package io.meshwork.security.ca;

import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Signs workload certificates. The identity in a certificate is always the one the caller
 * proved to the control plane (see {@link CsrSigner}); the CSR only contributes its public key
 * and the proof that the caller holds the private key, so a CSR asking for someone else's SAN
 * gains nothing. Thread-safe: the signing material is swapped atomically on root rotation.
 */
public final class CertificateAuthority {
  private final CaOptions options;
  private final Clock clock;
  private final Path stateDir;
  private volatile SigningMaterial signer;
  private volatile SigningMaterial staged;
  private volatile TrustBundle bundle;

  private CertificateAuthority(CaOptions options, Clock clock, Path stateDir, SigningMaterial signer, SigningMaterial staged, TrustBundle bundle) {
    this.options = options;
    this.clock = clock;
    this.stateDir = stateDir;
    this.signer = signer;
    this.staged = staged;
    this.bundle = bundle;
  }

  /**
   * A CA with a self-signed root kept under {@code stateDir}: created on first start, reused on
   * every later start.
   */
  public static CertificateAuthority selfSigned(Path stateDir, CaOptions options, Clock clock) throws IOException {
    var loaded = CaStore.loadOrCreateRoot(stateDir, options, clock);
    return new CertificateAuthority(options, clock, stateDir, loaded.signer(), loaded.staged(), loaded.bundle());
  }

  /**
   * A CA signing with an operator-provided intermediate (Istio's {@code cacerts}: ca-cert.pem,
   * ca-key.pem, cert-chain.pem, root-cert.pem). {@code certChain} may be null.
   */
  public static CertificateAuthority plugIn(Path caCert, Path caKey, Path certChain, Path rootCert, CaOptions options, Clock clock)
      throws IOException {
    var signer = CaStore.loadPlugged(caCert, caKey, certChain, rootCert);
    return new CertificateAuthority(options, clock, null, signer, null, new TrustBundle(List.of(new TrustBundle.TrustedRoot(signer.root(), null))));
  }

  /** A plug-in CA from a directory in Istio's {@code cacerts} layout. */
  public static CertificateAuthority plugIn(Path cacertsDir, CaOptions options, Clock clock) throws IOException {
    return plugIn(cacertsDir.resolve("ca-cert.pem"), cacertsDir.resolve("ca-key.pem"), cacertsDir.resolve("cert-chain.pem"),
        cacertsDir.resolve("root-cert.pem"), options, clock);
  }

  /** The issuing options. */
  public CaOptions options() {
    return options;
  }

  /** The current root (the one new certificates chain to). */
  public java.security.cert.X509Certificate root() {
    return signer.root();
  }

  /** The roots workloads must trust now. */
  public TrustBundle trustBundle() {
    return bundle;
  }

  /**
   * Signs {@code csr} for {@code identity}.
   *
   * @param csr a PKCS#10 request; its signature must verify with its own key (proof of
   *     possession); its subject and requested extensions are ignored
   * @param identity the identity the caller proved; it must be in this CA's trust domain
   * @param ttl the requested lifetime, or null for the default; capped at the maximum and at
   *     the signing certificate's own expiry
   * @throws IllegalArgumentException when the CSR is not self-signed correctly, its key is too
   *     weak, or the identity is in another trust domain
   */
  public IssuedCertificate sign(PKCS10CertificationRequest csr, SpiffeId identity, Duration ttl) {
    Objects.requireNonNull(identity, "identity");
    if (!identity.trustDomain().equals(options.trustDomain())) {
      throw new IllegalArgumentException("identity " + identity + " is not in this CA's trust domain " + options.trustDomain());
    }
    var key = verifiedKey(csr);
    var s = signer;
    var now = clock.instant();
    var lifetime = ttl == null || ttl.isZero() || ttl.isNegative() ? options.defaultTtl() : ttl;
    if (lifetime.compareTo(options.maxTtl()) > 0) {
      lifetime = options.maxTtl();
    }
    var notAfter = now.plus(lifetime);
    var signerEnd = s.cert().getNotAfter().toInstant();
    if (notAfter.isAfter(signerEnd)) {
      notAfter = signerEnd;
    }
    var leaf = Certs.workload(key, identity.uri(), s, now, notAfter);
    var chain = new ArrayList<java.security.cert.X509Certificate>();
    chain.add(leaf);
    if (!s.selfSigned()) {
      chain.add(s.cert());
      chain.addAll(s.intermediates());
    }
    return new IssuedCertificate(chain, s.root(), bundle.certificates(now));
  }

  /**
   * Issues the control plane's own serving certificate (the certificate service on 15012) for
   * {@code dnsNames} and {@code ips}, chaining to the mesh root so agents verify it with the root
   * they already hold. The key pair is made here and returned with the chain.
   *
   * @return the private key and the chain (leaf first, intermediates, no root)
   */
  public ServingCertificate issueServing(java.util.List<String> dnsNames, java.util.List<String> ips, Duration ttl) {
    var keys = KeyAlgorithm.EC_P256.generate();
    var s = signer;
    var now = clock.instant();
    var notAfter = now.plus(ttl);
    if (notAfter.isAfter(s.cert().getNotAfter().toInstant())) {
      notAfter = s.cert().getNotAfter().toInstant();
    }
    var chain = new ArrayList<java.security.cert.X509Certificate>();
    chain.add(Certs.serving(keys.getPublic(), dnsNames, ips, s, now, notAfter));
    if (!s.selfSigned()) {
      chain.add(s.cert());
      chain.addAll(s.intermediates());
    }
    return new ServingCertificate(keys.getPrivate(), chain);
  }

  /**
   * A serving key and its chain.
   *
   * @param key the private key
   * @param chain leaf first, then intermediates
   */
  public record ServingCertificate(java.security.PrivateKey key, List<java.security.cert.X509Certificate> chain) {
    public ServingCertificate {
      chain = List.copyOf(chain);
    }

    @Override
    public String toString() {
      return "ServingCertificate[" + chain.getFirst().getSubjectX500Principal() + "]";
    }
  }

  /**
   * Root rotation, step 1: creates the next root and adds it to the trust bundle while the
   * current root keeps signing. Distribute the bundle (the control plane pushes it to every
   * proxy) before step 2, so that no workload ever sees a certificate from a root it does not
   * trust yet.
   *
   * @return the staged root
   * @throws IllegalStateException for a plug-in CA, when a root is already staged, or while a
   *     previous rotation's overlap is still running
   */
  public synchronized java.security.cert.X509Certificate stageNewRoot() throws IOException {
    requireSelfSigned();
    var now = clock.instant();
    if (staged != null) {
      throw new IllegalStateException("a new root is already staged; activate it before staging another");
    }
    if (hasPreviousRoot(now)) {
      throw new IllegalStateException("a root rotation is still in its overlap; wait until the previous root expires from the bundle");
    }
    var fresh = CaStore.newRoot(options, now);
    CaStore.writeStaged(stateDir, fresh);
    var roots = new ArrayList<>(bundle.roots());
    roots.add(new TrustBundle.TrustedRoot(fresh.cert(), null));
    bundle = new TrustBundle(roots);
    staged = fresh;
    return fresh.cert();
  }

  /**
   * Root rotation, step 2: the staged root starts signing; the previous root stays trusted for
   * {@code overlap}, which must cover the workload certificate lifetime so every certificate it
   * signed is renewed under the new root before it stops being trusted.
   *
   * @throws IllegalStateException when no root is staged
   */
  public synchronized void activateStagedRoot(Duration overlap) throws IOException {
    requireSelfSigned();
    if (staged == null) {
      throw new IllegalStateException("no root is staged; call stageNewRoot and distribute the trust bundle first");
    }
    var now = clock.instant();
    var old = signer.root();
    var until = now.plus(overlap);
    CaStore.writeActivation(stateDir, staged, old, until);
    bundle = new TrustBundle(List.of(new TrustBundle.TrustedRoot(staged.cert(), null), new TrustBundle.TrustedRoot(old, until)));
    signer = staged;
    staged = null;
  }

  private boolean hasPreviousRoot(Instant now) {
    return bundle.roots().stream().anyMatch(r -> r.trustedUntil() != null && now.isBefore(r.trustedUntil()));
  }

  private void requireSelfSigned() {
    if (stateDir == null) {
      throw new IllegalStateException("a plug-in CA's root is rotated by replacing its cacerts files, not by Meshwork");
    }
  }

  private static PublicKey verifiedKey(PKCS10CertificationRequest csr) {
    try {
      var jca = new JcaPKCS10CertificationRequest(csr);
      var key = jca.getPublicKey();
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("the certificate request's signature does not verify with its own key; the caller must sign it with the key it wants certified");
      }
      if (!KeyAlgorithm.acceptable(key)) {
        throw new IllegalArgumentException("the certificate request's key is too weak: use ECDSA P-256 or RSA of at least 2048 bits");
      }
      return key;
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("the certificate request cannot be verified: " + e.getMessage(), e);
    }
  }
}
