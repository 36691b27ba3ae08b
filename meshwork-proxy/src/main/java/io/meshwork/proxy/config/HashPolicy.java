package io.meshwork.proxy.config;

/**
 * One of a route's {@code hash_policy} entries: what to hash for RING_HASH and MAGLEV clusters.
 * {@code terminal} stops evaluation once this policy produced a hash (Envoy semantics).
 */
public sealed interface HashPolicy {
  boolean terminal();

  /** Hash a request header's value. */
  record Header(String name, boolean terminal) implements HashPolicy {}

  /** Hash a cookie's value (Meshwork does not generate the cookie when absent). */
  record Cookie(String name, boolean terminal) implements HashPolicy {}

  /** Hash the client's IP address. */
  record SourceIp(boolean terminal) implements HashPolicy {}

  /** Hash a query parameter's value. */
  record QueryParameter(String name, boolean terminal) implements HashPolicy {}
}
