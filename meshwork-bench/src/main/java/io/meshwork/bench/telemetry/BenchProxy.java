package io.meshwork.bench.telemetry;

/**
 * The proxy a telemetry round measures: in the benchmark's JVM ({@link InProcessProxy}) or in a JVM
 * of its own with the sidecar's flags ({@link SidecarProcess}). Closing it closes the proxy, whose
 * exporter sends what is still queued, so the span counters are final afterwards.
 */
interface BenchProxy extends AutoCloseable {
  /** The port of its one (OUTBOUND) listener. */
  int port();

  /** CPU seconds so far of what this mode can attribute to the proxy (see the implementations). */
  double cpuSeconds();

  /** CPU seconds so far of the proxy's span exporter thread. */
  double exporterCpuSeconds();

  /** The tracer's {@code spans_sent}; final after {@link #close}. */
  long spansSent();

  /** The tracer's {@code spans_dropped}; final after {@link #close}. */
  long spansDropped();

  @Override
  void close() throws java.io.IOException;
}
