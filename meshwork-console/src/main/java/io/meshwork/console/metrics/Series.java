package io.meshwork.console.metrics;

import java.util.Arrays;
import java.util.Map;

/**
 * One time series: a ring of (millis, value) samples in time order that grows by doubling and
 * drops samples older than the retention from its head. Guarded by the owning store's lock.
 */
final class Series {
  final String name;
  final Map<String, String> labels;
  final long labelBytes;
  private long[] t = new long[8];
  private double[] v = new double[8];
  private int head;
  private int size;

  Series(String name, Map<String, String> labels) {
    this.name = name;
    this.labels = labels;
    long b = 160 + 2L * name.length();
    for (var e : labels.entrySet()) {
      b += 64 + 2L * (e.getKey().length() + e.getValue().length());
    }
    this.labelBytes = b;
  }

  long bytes() {
    return labelBytes + 16L * t.length;
  }

  int size() {
    return size;
  }

  long lastTime() {
    return size == 0 ? Long.MIN_VALUE : time(size - 1);
  }

  long time(int i) {
    return t[(head + i) % t.length];
  }

  double value(int i) {
    return v[(head + i) % v.length];
  }

  /** Appends a sample (older-or-equal timestamps than the last are ignored) and trims. */
  void add(long millis, double value, long oldestKept) {
    if (size > 0 && millis <= lastTime()) {
      return;
    }
    trim(oldestKept);
    if (size == t.length) {
      long[] nt = new long[t.length * 2];
      double[] nv = new double[t.length * 2];
      for (int i = 0; i < size; i++) {
        nt[i] = time(i);
        nv[i] = value(i);
      }
      t = nt;
      v = nv;
      head = 0;
    }
    int at = (head + size) % t.length;
    t[at] = millis;
    v[at] = value;
    size++;
  }

  /** Drops samples older than {@code oldestKept}; shrinks the ring when it is mostly empty. */
  void trim(long oldestKept) {
    while (size > 0 && time(0) < oldestKept) {
      head = (head + 1) % t.length;
      size--;
    }
    if (t.length > 16 && size < t.length / 4) {
      long[] nt = new long[t.length / 2];
      double[] nv = new double[t.length / 2];
      for (int i = 0; i < size; i++) {
        nt[i] = time(i);
        nv[i] = value(i);
      }
      t = nt;
      v = nv;
      head = 0;
    }
  }

  /**
   * Per-second rate over the samples in [from, to], counter resets handled as Prometheus does
   * (a drop means the counter restarted from 0). NaN with fewer than two samples.
   */
  double rate(long from, long to) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < size; i++) {
      long ti = time(i);
      if (ti >= from && ti <= to) {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    if (first < 0 || last <= first) {
      return Double.NaN;
    }
    double increase = 0;
    for (int i = first + 1; i <= last; i++) {
      double d = value(i) - value(i - 1);
      increase += d >= 0 ? d : value(i);
    }
    return increase / ((time(last) - time(first)) / 1000.0);
  }

  @Override
  public String toString() {
    return name + labels + Arrays.toString(Arrays.copyOf(t, Math.min(size, 4)));
  }
}
