package io.meshwork.proxy.tracing;

import io.meshwork.proxy.config.TracingConfig;
import java.util.function.DoubleSupplier;

/**
 * Envoy's sampling order: a request with {@code x-client-trace-id} is forced (DEBUG) when it falls
 * within {@code client_sampling}; otherwise a decision made upstream ({@code traceparent} flags,
 * {@code X-B3-Sampled}, {@code b3}) is honoured as it is, both ways; otherwise
 * {@code random_sampling} decides. {@code overall_sampling} then caps what was sampled.
 */
public final class Sampler {
  private Sampler() {}

  /** {@code random} returns a uniform value in [0, 100). */
  public static TraceContext.Sampled decide(TracingConfig cfg, TraceContext.Sampled incoming, boolean clientTraceId,
      DoubleSupplier random) {
    TraceContext.Sampled s;
    if (clientTraceId && random.getAsDouble() < cfg.clientSampling()) {
      s = TraceContext.Sampled.DEBUG;
    } else if (incoming.isDecided()) {
      return incoming; // the caller's decision is final, both ways
    } else {
      s = random.getAsDouble() < cfg.randomSampling() ? TraceContext.Sampled.SAMPLED : TraceContext.Sampled.NOT_SAMPLED;
    }
    if (s.isSampled() && cfg.overallSampling() < 100 && random.getAsDouble() >= cfg.overallSampling()) {
      return TraceContext.Sampled.NOT_SAMPLED;
    }
    return s;
  }
}
