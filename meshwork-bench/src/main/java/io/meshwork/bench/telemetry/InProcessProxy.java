package io.meshwork.bench.telemetry;

import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;

/**
 * A proxy in the benchmark's own JVM (JVM defaults: G1 and C2). It is the mode with headroom for
 * 10,000 requests/s on 2 cores, which the target asks to export as spans; its CPU figure is the whole
 * process's (load generator and backend included), its GC is shared with them.
 */
final class InProcessProxy implements BenchProxy {
  private final ProxyServer proxy;
  private final String statPrefix;

  private InProcessProxy(ProxyServer proxy, String statPrefix) {
    this.proxy = proxy;
    this.statPrefix = statPrefix;
  }

  static InProcessProxy start(String bootstrap, boolean metrics, String statPrefix) throws Exception {
    var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("bench.yaml", bootstrap), 1);
    var proxy = ProxyServer.start(config, 1, new PrintStream(OutputStream.nullOutputStream()));
    proxy.telemetry().enabled(metrics);
    return new InProcessProxy(proxy, statPrefix);
  }

  @Override
  public int port() {
    return proxy.listenerPort("outbound");
  }

  /** The whole benchmark process's CPU seconds (load generator, backend and proxy). */
  @Override
  public double cpuSeconds() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : 0;
  }

  @Override
  public double exporterCpuSeconds() {
    var threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("meshwork-span-export")) {
        sum += Math.max(0, threads.getThreadCpuTime(t.threadId()));
      }
    }
    return sum / 1e9;
  }

  @Override
  public long spansSent() {
    return proxy.stats().value(statPrefix + ".spans_sent");
  }

  @Override
  public long spansDropped() {
    return proxy.stats().value(statPrefix + ".spans_dropped");
  }

  @Override
  public void close() {
    proxy.close();
  }
}
