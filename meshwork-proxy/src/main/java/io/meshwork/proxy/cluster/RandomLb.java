package io.meshwork.proxy.cluster;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Weighted random: a uniform point in the cumulative weights, found by binary search. */
final class RandomLb implements LoadBalancer {
  private final Host[] hosts;
  private final List<Host> eligible;
  private final long[] cumulative;

  RandomLb(List<Host> all) {
    var eligible = Hosts.eligible(all);
    this.eligible = eligible;
    hosts = eligible.toArray(new Host[0]);
    cumulative = new long[hosts.length];
    long acc = 0;
    for (int i = 0; i < hosts.length; i++) {
      acc += hosts[i].weight();
      cumulative[i] = acc;
    }
  }

  @Override
  public Host choose(Collection<Host> avoid) {
    if (hosts.length == 0) {
      return null;
    }
    return LoadBalancer.avoiding(this::pick, avoid, eligible);
  }

  private Host pick() {
    long point = ThreadLocalRandom.current().nextLong(cumulative[cumulative.length - 1]);
    int i = Arrays.binarySearch(cumulative, point + 1);
    return hosts[i >= 0 ? i : -i - 1];
  }
}
