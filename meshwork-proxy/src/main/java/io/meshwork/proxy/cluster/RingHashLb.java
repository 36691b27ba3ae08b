package io.meshwork.proxy.cluster;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Consistent hashing on a ring (Envoy's RING_HASH): each host owns a number of points proportional to
 * its weight (at least {@code minRingSize} points in total); a request's hash maps to the first point
 * at or after it. Adding or removing one host of N moves about 1/N of the keys. A request without a
 * hash gets a random point. Hosts to avoid (earlier attempts) are skipped by walking the ring.
 */
final class RingHashLb implements LoadBalancer {
  private static final long MAX_RING = 8_388_608;
  private final long[] points;
  private final Host[] owners;
  private final List<Host> hosts;

  RingHashLb(List<Host> all, long minRingSize) {
    hosts = Hosts.eligible(all);
    if (hosts.isEmpty()) {
      points = new long[0];
      owners = new Host[0];
      return;
    }
    long totalWeight = hosts.stream().mapToLong(Host::weight).sum();
    long size = Math.min(MAX_RING, Math.max(minRingSize, hosts.size()));
    record Point(long hash, Host host) {}
    var list = new java.util.ArrayList<Point>((int) size + hosts.size());
    for (var h : hosts) {
      long replicas = Math.max(1, Math.round((double) size * h.weight() / totalWeight));
      var key = h.hostPort() + "_";
      for (long i = 0; i < replicas; i++) {
        list.add(new Point(Hashing.hash(key + i), h));
      }
    }
    list.sort((x, y) -> Long.compareUnsigned(x.hash(), y.hash()));
    points = new long[list.size()];
    owners = new Host[list.size()];
    for (int i = 0; i < points.length; i++) {
      points[i] = list.get(i).hash();
      owners[i] = list.get(i).host();
    }
  }

  @Override
  public Host choose(Collection<Host> avoid) {
    return choose(avoid, ThreadLocalRandom.current().nextLong());
  }

  @Override
  public Host choose(Collection<Host> avoid, long hash) {
    if (points.length == 0) {
      return null;
    }
    int i = firstAtOrAfter(hash);
    if (avoid.isEmpty()) {
      return owners[i];
    }
    for (int step = 0; step < points.length; step++) {
      var h = owners[(i + step) % points.length];
      if (!avoid.contains(h)) {
        return h;
      }
    }
    return owners[i];
  }

  private int firstAtOrAfter(long hash) {
    int lo = 0;
    int hi = points.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(points[mid], hash) < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo == points.length ? 0 : lo;
  }

  int ringSize() {
    return points.length;
  }

  @Override
  public String toString() {
    return "RingHashLb" + Arrays.toString(hosts.toArray());
  }
}
