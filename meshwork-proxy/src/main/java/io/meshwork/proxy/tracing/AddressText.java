package io.meshwork.proxy.tracing;

import java.net.InetAddress;

/**
 * The text of an IP address for span tags and endpoints, remembered for the few addresses a proxy
 * sees again and again (its listener, the local client, the sidecar peers). {@code getHostAddress}
 * builds a new string on every call, three per span; a small per-thread table avoids that without
 * a lock (only the exporter thread writes spans).
 */
final class AddressText {
  private static final int SIZE = 8;
  private static final ThreadLocal<Object[]> CACHE = ThreadLocal.withInitial(() -> new Object[SIZE * 2]);

  private AddressText() {}

  static String of(InetAddress a) {
    var cache = CACHE.get();
    int slot = (a.hashCode() & (SIZE - 1)) * 2;
    if (a.equals(cache[slot])) {
      return (String) cache[slot + 1];
    }
    var text = a.getHostAddress();
    cache[slot] = a;
    cache[slot + 1] = text;
    return text;
  }
}
