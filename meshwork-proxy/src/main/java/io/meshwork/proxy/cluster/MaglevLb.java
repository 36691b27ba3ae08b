package io.meshwork.proxy.cluster;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Maglev consistent hashing (Envoy's MAGLEV): a lookup table of prime size M is filled by letting each
 * host claim slots along its own permutation ({@code offset + j·skip mod M}), in turns weighted by the
 * host's weight, as in Envoy. Lookup is one array access; removing a host moves few keys. Hosts to
 * avoid are skipped by re-hashing a few times, then by taking any untried host.
 */
final class MaglevLb implements LoadBalancer {
  private final Host[] table;
  private final List<Host> hosts;

  MaglevLb(List<Host> all, long tableSize) {
    hosts = Hosts.eligible(all);
    int m = (int) tableSize;
    table = new Host[hosts.isEmpty() ? 0 : m];
    if (hosts.isEmpty()) {
      return;
    }
    int n = hosts.size();
    var offset = new long[n];
    var skip = new long[n];
    var next = new long[n];
    var filled = new long[n];
    var normalized = new double[n];
    double maxWeight = hosts.stream().mapToInt(Host::weight).max().orElse(1);
    for (int i = 0; i < n; i++) {
      var name = hosts.get(i).hostPort();
      offset[i] = Long.remainderUnsigned(Hashing.hash(name), m);
      skip[i] = Long.remainderUnsigned(Hashing.hash(name + "#skip"), m - 1) + 1;
      normalized[i] = hosts.get(i).weight() / maxWeight;
    }
    int claimed = 0;
    for (long iteration = 1; claimed < m; iteration++) {
      for (int i = 0; i < n && claimed < m; i++) {
        if (iteration * normalized[i] < filled[i]) {
          continue; // a lighter host waits for its turn
        }
        int slot;
        do {
          slot = (int) ((offset[i] + next[i] * skip[i]) % m);
          next[i]++;
        } while (table[slot] != null);
        table[slot] = hosts.get(i);
        filled[i]++;
        claimed++;
      }
    }
  }

  @Override
  public Host choose(Collection<Host> avoid) {
    return choose(avoid, ThreadLocalRandom.current().nextLong());
  }

  @Override
  public Host choose(Collection<Host> avoid, long hash) {
    if (table.length == 0) {
      return null;
    }
    var h = table[(int) Long.remainderUnsigned(hash, table.length)];
    for (int i = 1; i <= AVOID_ATTEMPTS && avoid.contains(h); i++) {
      h = table[(int) Long.remainderUnsigned(Hashing.mix(hash + i), table.length)];
    }
    if (avoid.contains(h)) {
      var fresh = hosts.stream().filter(x -> !avoid.contains(x)).toList();
      if (!fresh.isEmpty()) {
        h = fresh.get(ThreadLocalRandom.current().nextInt(fresh.size()));
      }
    }
    return h;
  }

  /** The table, for tests of its balance. */
  Host[] table() {
    return table;
  }
}
