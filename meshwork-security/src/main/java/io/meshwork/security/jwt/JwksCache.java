package io.meshwork.security.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Key sets fetched from {@code jwksUri}s, kept for {@code refreshInterval} (20 min, Istio's
 * default) and refetched early when a token names a key id the cached set lacks (an issuer
 * rotated its keys), at most once per {@code minRefetch} so bad tokens cannot make us hammer the
 * issuer. A failed refresh keeps the last good set. Fetches are blocking: the proxy should call
 * {@link #get} off its event loops (prefetch on configuration, refresh in the background).
 */
public final class JwksCache {
  private final JwksFetcher fetcher;
  private final Clock clock;
  private final Duration refreshInterval;
  private final Duration minRefetch;
  private final Map<URI, Entry> entries = new HashMap<>();

  private record Entry(JWKSet keys, Instant fetched, Instant attempted) {}

  public JwksCache(JwksFetcher fetcher, Clock clock, Duration refreshInterval, Duration minRefetch) {
    this.fetcher = fetcher;
    this.clock = clock;
    this.refreshInterval = refreshInterval;
    this.minRefetch = minRefetch;
  }

  /** Istio's defaults: refresh every 20 minutes, refetch on an unknown key id at most every 30 s. */
  public static JwksCache withDefaults(JwksFetcher fetcher, Clock clock) {
    return new JwksCache(fetcher, clock, Duration.ofMinutes(20), Duration.ofSeconds(30));
  }

  /**
   * The key set at {@code uri}, fetched when absent or stale, or when {@code keyMissing} and the
   * last attempt is older than {@code minRefetch}.
   *
   * @throws IOException when no key set was ever fetched and fetching fails now
   */
  public synchronized JWKSet get(URI uri, Duration timeout, boolean keyMissing) throws IOException {
    var now = clock.instant();
    var e = entries.get(uri);
    boolean stale = e == null || !now.isBefore(e.fetched().plus(refreshInterval));
    boolean retryAllowed = e == null || !now.isBefore(e.attempted().plus(minRefetch));
    if (!stale && !(keyMissing && retryAllowed)) {
      return e.keys();
    }
    // Throttle early refetches (unknown kid) and retries after a failed refresh; a set that simply
    // reached its refresh interval is refetched even when that interval is below minRefetch.
    if (e != null && !retryAllowed && (!stale || e.attempted().isAfter(e.fetched()))) {
      return e.keys();
    }
    try {
      var keys = JWKSet.parse(fetcher.fetch(uri, timeout));
      entries.put(uri, new Entry(keys, now, now));
      return keys;
    } catch (IOException | ParseException ex) {
      if (e != null) {
        entries.put(uri, new Entry(e.keys(), e.fetched(), now));
        return e.keys();
      }
      throw ex instanceof IOException io ? io : new IOException(uri + " did not return a JSON Web Key Set: " + ex.getMessage(), ex);
    }
  }
}
