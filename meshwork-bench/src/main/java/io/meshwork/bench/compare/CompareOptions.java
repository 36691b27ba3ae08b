package io.meshwork.bench.compare;

import io.meshwork.bench.load.Protocol;
import java.nio.file.Path;
import java.util.List;

/**
 * How to run the comparison: which scenarios, the load shape (connections, payload, phase lengths,
 * fixed rates, an optional request bound per phase), and how to launch the processes ({@code java},
 * the class path, the proxy's main class and arguments, extra JVM flags for the proxy) and the protocol
 * the load generator speaks (HTTP/1.1 unless {@code --protocol} says h2c or grpc).
 */
public record CompareOptions(String label, List<Scenario> scenarios, int connections, int payloadBytes, long warmMillis,
    long saturationMillis, long rateWarmMillis, long rateMillis, List<Double> rates, long maxRequests, String java,
    String classpath, List<String> proxyMain, List<String> proxyJvmFlags, List<String> proxyArgs, int backendThreads,
    Path workDir, Protocol protocol) {

  public CompareOptions {
    scenarios = List.copyOf(scenarios);
    rates = List.copyOf(rates);
    proxyMain = List.copyOf(proxyMain);
    proxyJvmFlags = List.copyOf(proxyJvmFlags);
    proxyArgs = List.copyOf(proxyArgs);
    if (protocol == null) {
      protocol = Protocol.HTTP1;
    }
  }

  /** Phase lengths of {@code --quick} (the whole table in under two minutes) and of the full run. */
  public static CompareOptions defaults(boolean quick, String java, String classpath, List<String> proxyMain, Path workDir) {
    return quick
        ? new CompareOptions("quick", Scenario.all(), 16, 1024, 1000, 1500, 300, 1500, List.of(100.0, 1000.0, 5000.0), 0,
            java, classpath, proxyMain, List.of(), List.of(), 1, workDir, Protocol.HTTP1)
        : new CompareOptions("full", Scenario.all(), 16, 1024, 3000, 10000, 1000, 10000, List.of(100.0, 1000.0, 5000.0), 0,
            java, classpath, proxyMain, List.of(), List.of(), 1, workDir, Protocol.HTTP1);
  }

  public CompareOptions withScenarios(List<Scenario> s) {
    return new CompareOptions(label, s, connections, payloadBytes, warmMillis, saturationMillis, rateWarmMillis, rateMillis,
        rates, maxRequests, java, classpath, proxyMain, proxyJvmFlags, proxyArgs, backendThreads, workDir, protocol);
  }

  public CompareOptions withLoad(long warm, long saturation, long rateWarm, long rate, List<Double> r, long max) {
    return new CompareOptions(label, scenarios, connections, payloadBytes, warm, saturation, rateWarm, rate, r, max, java,
        classpath, proxyMain, proxyJvmFlags, proxyArgs, backendThreads, workDir, protocol);
  }

  public CompareOptions withProxy(List<String> jvmFlags, List<String> args) {
    return new CompareOptions(label, scenarios, connections, payloadBytes, warmMillis, saturationMillis, rateWarmMillis,
        rateMillis, rates, maxRequests, java, classpath, proxyMain, jvmFlags, args, backendThreads, workDir, protocol);
  }

  public CompareOptions withLabel(String l) {
    return new CompareOptions(l, scenarios, connections, payloadBytes, warmMillis, saturationMillis, rateWarmMillis, rateMillis,
        rates, maxRequests, java, classpath, proxyMain, proxyJvmFlags, proxyArgs, backendThreads, workDir, protocol);
  }

  public CompareOptions withProtocol(Protocol p) {
    return new CompareOptions(label, scenarios, connections, payloadBytes, warmMillis, saturationMillis, rateWarmMillis, rateMillis,
        rates, maxRequests, java, classpath, proxyMain, proxyJvmFlags, proxyArgs, backendThreads, workDir, p);
  }

  /**
   * The time this plan spends loading and idling (each row: warm-up, saturation, every fixed rate with
   * its warm-up, and a second of idle before the load when proxies run), without process start-up:
   * the floor under how long the run takes.
   */
  public long plannedLoadMillis() {
    long perRow = warmMillis + saturationMillis + rates.size() * (rateWarmMillis + rateMillis);
    return scenarios.stream().mapToLong(s -> perRow + (s == Scenario.DIRECT ? 0 : 1000)).sum();
  }
}
