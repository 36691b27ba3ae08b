package io.meshwork.bench.compare;

import java.util.Map;

/**
 * One proxy process in one scenario: start-to-ready time, resident memory idle (after ready, before
 * load) and under load (the largest sample at the end of a measured phase), and CPU seconds per 1,000
 * requests in each measured phase (which equals vCPU per 1,000 requests per second).
 */
public record ProxyFigures(String name, double readyMillis, double rssIdleMb, double rssLoadMb, double peakRssMb,
    Map<String, Double> cpuSecondsPer1k) {
  public ProxyFigures {
    cpuSecondsPer1k = Map.copyOf(cpuSecondsPer1k);
  }
}
