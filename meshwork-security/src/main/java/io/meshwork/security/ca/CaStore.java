package io.meshwork.security.ca;

import io.meshwork.security.pki.Pem;
import io.meshwork.security.pki.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the CA's keys live. A self-signed root is kept under a state directory ({@code 0700})
 * as {@code root-cert.pem} and {@code root-key.pem} ({@code 0600}) and reused on every restart,
 * so workload certificates and trust bundles survive a control-plane restart. During a root
 * rotation the previous root is kept as {@code previous-root-cert.pem} with the end of its
 * overlap in {@code previous-root-until}; a root staged for the next rotation (trusted, not yet
 * signing) is kept as {@code staged-root-cert.pem} and {@code staged-root-key.pem}. A plug-in CA is read from Istio's {@code cacerts}
 * files and never written.
 */
public final class CaStore {
  static final String ROOT_CERT = "root-cert.pem";
  static final String ROOT_KEY = "root-key.pem";
  static final String PREVIOUS_ROOT = "previous-root-cert.pem";
  static final String PREVIOUS_UNTIL = "previous-root-until";
  static final String STAGED_CERT = "staged-root-cert.pem";
  static final String STAGED_KEY = "staged-root-key.pem";

  private CaStore() {}

  /** What a self-signed CA loads or creates: its signing material and its trust bundle. */
  record Loaded(SigningMaterial signer, SigningMaterial staged, TrustBundle bundle) {}

  /**
   * Loads the root from {@code stateDir}, or creates, persists and returns a new one when the
   * directory holds none.
   *
   * @throws IllegalStateException when only one of the two root files exists or they do not match
   */
  static Loaded loadOrCreateRoot(Path stateDir, CaOptions opts, Clock clock) throws IOException {
    SecureFiles.directory(stateDir);
    var certFile = stateDir.resolve(ROOT_CERT);
    var keyFile = stateDir.resolve(ROOT_KEY);
    boolean hasCert = Files.exists(certFile);
    boolean hasKey = Files.exists(keyFile);
    if (hasCert != hasKey) {
      throw new IllegalStateException(stateDir + " holds " + (hasCert ? ROOT_CERT + " but not " + ROOT_KEY : ROOT_KEY + " but not " + ROOT_CERT)
          + "; restore the missing file or remove both to create a new root");
    }
    if (!hasCert) {
      var signer = newRoot(opts, clock.instant());
      writeRoot(stateDir, signer);
      return new Loaded(signer, null, new TrustBundle(List.of(new TrustBundle.TrustedRoot(signer.cert(), null))));
    }
    Files.setPosixFilePermissions(keyFile, SecureFiles.FILE);
    var certs = Pem.certificates(Files.readString(certFile));
    if (certs.isEmpty()) {
      throw new IllegalStateException(certFile + " holds no certificate; restore it or remove both root files to create a new root");
    }
    var cert = certs.getFirst();
    var key = Pem.privateKey(Files.readString(keyFile));
    requireMatch(key, cert, keyFile + " does not belong to " + certFile);
    var signer = new SigningMaterial(key, cert, List.of(), cert);
    var roots = new ArrayList<TrustBundle.TrustedRoot>();
    roots.add(new TrustBundle.TrustedRoot(cert, null));
    SigningMaterial staged = null;
    if (Files.exists(stateDir.resolve(STAGED_CERT)) && Files.exists(stateDir.resolve(STAGED_KEY))) {
      var sc = Pem.certificates(Files.readString(stateDir.resolve(STAGED_CERT))).getFirst();
      var sk = Pem.privateKey(Files.readString(stateDir.resolve(STAGED_KEY)));
      requireMatch(sk, sc, stateDir.resolve(STAGED_KEY) + " does not belong to " + stateDir.resolve(STAGED_CERT));
      staged = new SigningMaterial(sk, sc, List.of(), sc);
      roots.add(new TrustBundle.TrustedRoot(sc, null));
    }
    var prev = stateDir.resolve(PREVIOUS_ROOT);
    var until = stateDir.resolve(PREVIOUS_UNTIL);
    if (Files.exists(prev) && Files.exists(until)) {
      var end = Instant.parse(Files.readString(until).strip());
      if (clock.instant().isBefore(end)) {
        roots.add(new TrustBundle.TrustedRoot(Pem.certificates(Files.readString(prev)).getFirst(), end));
      }
    }
    return new Loaded(signer, staged, new TrustBundle(roots));
  }

  /** A fresh self-signed root valid from {@code now} for the configured validity. */
  static SigningMaterial newRoot(CaOptions opts, Instant now) {
    var keys = opts.rootKeyAlgorithm().generate();
    var cert = Certs.selfSignedRoot(keys, opts.trustDomain(), now, now.plus(opts.rootValidity()));
    return new SigningMaterial(keys.getPrivate(), cert, List.of(), cert);
  }

  /** Persists a staged root (trusted by everyone, signing nothing yet). */
  static void writeStaged(Path stateDir, SigningMaterial staged) throws IOException {
    SecureFiles.write(stateDir.resolve(STAGED_KEY), Pem.encode(staged.key()));
    SecureFiles.write(stateDir.resolve(STAGED_CERT), Pem.encode(staged.cert()));
  }

  /** Persists an activation: the staged root becomes current, the old root is kept until {@code until}. */
  static void writeActivation(Path stateDir, SigningMaterial newRoot, X509Certificate previous, Instant until) throws IOException {
    SecureFiles.write(stateDir.resolve(PREVIOUS_ROOT), Pem.encode(previous));
    SecureFiles.write(stateDir.resolve(PREVIOUS_UNTIL), until.toString() + "\n");
    writeRoot(stateDir, newRoot);
    Files.deleteIfExists(stateDir.resolve(STAGED_CERT));
    Files.deleteIfExists(stateDir.resolve(STAGED_KEY));
  }

  private static void writeRoot(Path stateDir, SigningMaterial signer) throws IOException {
    // Key first: a crash between the writes leaves a key without a certificate, which is reported, never a
    // certificate whose key is lost.
    SecureFiles.write(stateDir.resolve(ROOT_KEY), Pem.encode(signer.key()));
    SecureFiles.write(stateDir.resolve(ROOT_CERT), Pem.encode(signer.cert()));
  }

  /**
   * Reads a plug-in CA from Istio's {@code cacerts} layout: {@code ca-cert.pem} (the signing
   * certificate), {@code ca-key.pem}, {@code cert-chain.pem} (the signing certificate and the
   * intermediates above it, optionally ending with the root) and {@code root-cert.pem}.
   *
   * @throws IllegalStateException naming the file that is missing, unreadable or inconsistent
   */
  static SigningMaterial loadPlugged(Path caCert, Path caKey, Path certChain, Path rootCert) throws IOException {
    var cert = firstCert(caCert);
    var key = Pem.privateKey(read(caKey));
    requireMatch(key, cert, caKey + " does not belong to " + caCert);
    if (cert.getBasicConstraints() < 0) {
      throw new IllegalStateException(caCert + " is not a CA certificate (basicConstraints CA:TRUE is missing); give an intermediate or root CA");
    }
    var root = firstCert(rootCert);
    var intermediates = new ArrayList<X509Certificate>();
    if (certChain != null && Files.exists(certChain)) {
      for (var c : Pem.certificates(read(certChain))) {
        if (!c.equals(cert) && !c.equals(root)) {
          intermediates.add(c);
        }
      }
    }
    var path = new ArrayList<X509Certificate>();
    path.add(cert);
    path.addAll(intermediates);
    path.add(root);
    for (int i = 0; i + 1 < path.size(); i++) {
      try {
        path.get(i).verify(path.get(i + 1).getPublicKey());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the plug-in CA chain is broken: " + path.get(i).getSubjectX500Principal()
            + " is not signed by " + path.get(i + 1).getSubjectX500Principal() + "; check " + certChain + " and " + rootCert, e);
      }
    }
    return new SigningMaterial(key, cert, intermediates, root);
  }

  private static X509Certificate firstCert(Path file) throws IOException {
    var certs = Pem.certificates(read(file));
    if (certs.isEmpty()) {
      throw new IllegalStateException(file + " holds no PEM certificate; give the CA's certificate file");
    }
    return certs.getFirst();
  }

  private static String read(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IllegalStateException(file + " does not exist or is not readable; check the CA file paths");
    }
    return Files.readString(file);
  }

  /** Proves the key and the certificate belong together by signing and verifying a probe. */
  static void requireMatch(PrivateKey key, X509Certificate cert, String message) {
    try {
      var alg = io.meshwork.security.pki.KeyAlgorithm.signatureAlgorithmFor(cert.getPublicKey());
      var s = Signature.getInstance(alg);
      s.initSign(key);
      byte[] probe = "meshwork-ca-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      s.update(probe);
      byte[] sig = s.sign();
      var v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw new IllegalStateException(message);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(message, e);
    }
  }
}
