package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.types.Duration;
import java.util.List;

/**
 * Metrics settings: which providers receive Istio's standard metrics, per-metric overrides
 * (disable, add/change/remove tags), and how often TCP metrics are reported.
 *
 * @param providers the providers, {@code prometheus} by default
 * @param overrides applied in order; later ones win
 * @param reportingInterval for long TCP connections; absent uses the proxy default (5s)
 */
public record Metrics(
    List<ProviderRef> providers,
    List<MetricsOverrides> overrides,
    @MinDuration("1ms") Duration reportingInterval) {}
