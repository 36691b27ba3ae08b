package io.meshwork.security.ca;

import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Join tokens: how a workload proves its identity in local mode. The control plane issues one
 * per workload (namespace + service account), hands it over as a {@code 0600} file, and keeps
 * only its SHA-256 so a leaked store cannot be replayed. A token is reusable until it expires or
 * is revoked, because the agent presents it on every renewal. The store is a {@code 0600} text
 * file ({@code join-tokens}) in the CA's state directory, rewritten atomically on each change.
 */
public final class JoinTokens implements IdentityVerifier {
  /** Prefix that makes a token recognisable in a file or a leaked log. */
  public static final String PREFIX = "mwjt_";
  static final String STORE = "join-tokens";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path store;
  private final String trustDomain;
  private final Clock clock;
  private final Map<String, Entry> byHash = new LinkedHashMap<>();

  private record Entry(String namespace, String serviceAccount, Instant expires) {}

  private JoinTokens(Path store, String trustDomain, Clock clock) {
    this.store = store;
    this.trustDomain = trustDomain;
    this.clock = clock;
  }

  /** Opens (or starts) the token store under {@code stateDir}. */
  public static JoinTokens open(Path stateDir, String trustDomain, Clock clock) throws IOException {
    SecureFiles.directory(stateDir);
    var t = new JoinTokens(stateDir.resolve(STORE), trustDomain, clock);
    if (Files.exists(t.store)) {
      Files.setPosixFilePermissions(t.store, SecureFiles.FILE);
      for (var line : Files.readAllLines(t.store)) {
        var f = line.strip().split(" ");
        if (f.length == 4) {
          t.byHash.put(f[0], new Entry(f[1], f[2], f[3].equals("-") ? null : Instant.parse(f[3])));
        }
      }
    }
    return t;
  }

  /**
   * Issues a token for {@code namespace/serviceAccount} and writes it to {@code tokenFile}
   * ({@code 0600}) when that is not null.
   *
   * @param ttl how long the token may be used, or null for no expiry (revoke it explicitly)
   * @return the token; shown once, never stored in clear
   */
  public synchronized String issue(String namespace, String serviceAccount, Duration ttl, Path tokenFile) throws IOException {
    new SpiffeId(trustDomain, namespace, serviceAccount); // validates the parts
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    var token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    byHash.put(hash(token), new Entry(namespace, serviceAccount, ttl == null ? null : clock.instant().plus(ttl)));
    save();
    if (tokenFile != null) {
      if (tokenFile.toAbsolutePath().getParent() != null) {
        Files.createDirectories(tokenFile.toAbsolutePath().getParent());
      }
      SecureFiles.write(tokenFile, token + "\n");
    }
    return token;
  }

  @Override
  public synchronized SpiffeId verify(CallerCredential credential) throws AuthenticationException {
    if (!CallerCredential.JOIN_TOKEN.equals(credential.type())) {
      throw new AuthenticationException("this control plane accepts join tokens only, not " + credential.type());
    }
    var e = byHash.get(hash(credential.value().strip()));
    if (e == null) {
      throw new AuthenticationException("unknown or revoked join token; issue a new one for the workload");
    }
    if (e.expires() != null && !clock.instant().isBefore(e.expires())) {
      throw new AuthenticationException("the join token expired at " + e.expires() + "; issue a new one for the workload");
    }
    return new SpiffeId(trustDomain, e.namespace(), e.serviceAccount());
  }

  /** Revokes one token; returns whether it was known. */
  public synchronized boolean revoke(String token) throws IOException {
    boolean known = byHash.remove(hash(token.strip())) != null;
    if (known) {
      save();
    }
    return known;
  }

  /** Revokes every token of {@code namespace/serviceAccount}; returns how many there were. */
  public synchronized int revokeAll(String namespace, String serviceAccount) throws IOException {
    int before = byHash.size();
    byHash.values().removeIf(e -> e.namespace().equals(namespace) && e.serviceAccount().equals(serviceAccount));
    int removed = before - byHash.size();
    if (removed > 0) {
      save();
    }
    return removed;
  }

  private void save() throws IOException {
    var sb = new StringBuilder();
    for (var en : byHash.entrySet()) {
      var e = en.getValue();
      sb.append(en.getKey()).append(' ').append(e.namespace()).append(' ').append(e.serviceAccount()).append(' ')
          .append(e.expires() == null ? "-" : e.expires().toString()).append('\n');
    }
    SecureFiles.write(store, sb.toString());
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
