package io.meshwork.proxy.cluster;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash used by RING_HASH and MAGLEV: FNV-1a over UTF-8 bytes followed by the MurmurHash3
 * 64-bit finaliser, which spreads nearby inputs ("10.0.0.1:80_1", "_2", ...) across the whole range.
 * Meshwork does not try to reproduce Envoy's xxHash ring positions; only the consistency properties
 * matter (same key → same host; adding or removing a host moves few keys).
 */
public final class Hashing {
  private Hashing() {}

  public static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** MurmurHash3's fmix64. */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  /** Envoy's combination of several hash policies: rotate the previous hash left by one, xor the next. */
  public static long combine(long previous, long next) {
    return Long.rotateLeft(previous, 1) ^ next;
  }
}
