package io.meshwork.proxy.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round robin. The order is precomputed once with the "smooth" weighted round-robin
 * algorithm (weights 5:1:1 give a,a,b,a,c,a,a rather than five a's in a row), and a shared cursor
 * walks it. The cursor starts at a random offset so that many proxies do not all hit the first host.
 */
final class RoundRobinLb implements LoadBalancer {
  private static final int MAX_SCHEDULE = 4096;
  private final Host[] schedule;
  private final List<Host> hosts;
  private final AtomicLong cursor;

  RoundRobinLb(List<Host> all) {
    var hosts = Hosts.eligible(all);
    this.hosts = hosts;
    schedule = build(hosts);
    cursor = new AtomicLong(schedule.length == 0 ? 0 : ThreadLocalRandom.current().nextInt(schedule.length));
  }

  private static Host[] build(List<Host> hosts) {
    if (hosts.isEmpty()) {
      return new Host[0];
    }
    long total = 0;
    for (var h : hosts) {
      total += h.weight();
    }
    double scale = total > MAX_SCHEDULE ? (double) MAX_SCHEDULE / total : 1.0;
    var weights = new long[hosts.size()];
    long sum = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = Math.max(1, Math.round(hosts.get(i).weight() * scale));
      sum += weights[i];
    }
    var current = new long[weights.length];
    var out = new ArrayList<Host>((int) sum);
    for (long n = 0; n < sum; n++) {
      int best = 0;
      for (int i = 0; i < weights.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= sum;
      out.add(hosts.get(best));
    }
    return out.toArray(new Host[0]);
  }

  @Override
  public Host choose(Collection<Host> avoid) {
    if (schedule.length == 0) {
      return null;
    }
    return LoadBalancer.avoiding(() -> schedule[(int) Math.floorMod(cursor.getAndIncrement(), (long) schedule.length)],
        avoid, hosts);
  }
}
