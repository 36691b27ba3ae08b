package io.meshwork.proxy.tracing;

/**
 * Each tag key's encoded form (Zipkin's escaped {@code "key":"}, OTLP's key field), computed once
 * per writer: a span has some twenty tags whose keys are the same few strings every time, and
 * encoding them char by char was a tenth of the exporter's time. Direct-mapped by the key's cached
 * hash (a {@code HashMap} lookup per tag cost about as much as the encoding it saved); a slot two
 * keys share holds the last one, and Envoy's and Istio's usual twenty keys take twenty of the 512.
 * One writer's, so one thread's: not thread-safe.
 */
final class KeyCache {
  /** Writes a key's encoded form into a buffer. */
  @FunctionalInterface
  interface Encoder {
    void encode(String key, SpanBuffer into);
  }

  private static final int BITS = 9;
  private final String[] keys = new String[1 << BITS];
  private final byte[][] encoded = new byte[1 << BITS][];
  private final SpanBuffer scratch = new SpanBuffer(64);
  private final Encoder encoder;

  KeyCache(Encoder encoder) {
    this.encoder = encoder;
  }

  /** {@code key} encoded; the array is shared, callers copy it out and never change it. */
  byte[] get(String key) {
    int slot = (key.hashCode() * 0x9E3779B9) >>> (32 - BITS); // Fibonacci hashing
    var cached = keys[slot];
    if (cached == key || (cached != null && cached.equals(key))) {
      return encoded[slot];
    }
    scratch.reset();
    encoder.encode(key, scratch);
    var bytes = scratch.toByteArray();
    keys[slot] = key;
    encoded[slot] = bytes;
    return bytes;
  }
}
