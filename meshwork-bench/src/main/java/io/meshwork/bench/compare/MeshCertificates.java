package io.meshwork.bench.compare;

import io.meshwork.security.agent.CsrBuilder;
import io.meshwork.security.ca.CaOptions;
import io.meshwork.security.ca.CertificateAuthority;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.security.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Certificates for the mTLS rows, issued by Meshwork's own CA exactly as workloads get them
 * (ECDSA P-256, SPIFFE URI SAN, 24 h): a bench root, a server identity and a client identity.
 *
 * @param root the root PEM file
 * @param serverIdentity the server's SPIFFE ID, which the client side checks
 */
public record MeshCertificates(Path root, Path serverCert, Path serverKey, Path clientCert, Path clientKey, String serverIdentity) {
  /** Creates (or reuses) the bench CA under {@code dir} and issues both workload certificates. */
  public static MeshCertificates write(Path dir) throws IOException {
    Files.createDirectories(dir);
    var ca = CertificateAuthority.selfSigned(dir.resolve("ca"), CaOptions.defaults(), Clock.systemUTC());
    var server = SpiffeId.of("bench", "bench-server");
    var client = SpiffeId.of("bench", "bench-client");
    var root = dir.resolve("root.pem");
    Files.writeString(root, Pem.encode(ca.root()));
    var sc = issue(ca, server, dir, "server");
    var cc = issue(ca, client, dir, "client");
    return new MeshCertificates(root, sc[0], sc[1], cc[0], cc[1], server.uri());
  }

  private static Path[] issue(CertificateAuthority ca, SpiffeId id, Path dir, String name) throws IOException {
    var keys = KeyAlgorithm.EC_P256.generate();
    var issued = ca.sign(CsrBuilder.build(keys, id), id, Duration.ofHours(24));
    var cert = dir.resolve(name + "-cert.pem");
    var key = dir.resolve(name + "-key.pem");
    Files.writeString(cert, issued.chainPem());
    io.meshwork.security.pki.SecureFiles.write(key, Pem.encode(keys.getPrivate()));
    return new Path[] {cert, key};
  }
}
