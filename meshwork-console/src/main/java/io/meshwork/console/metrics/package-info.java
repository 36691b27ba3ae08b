/**
 * Metrics: a Prometheus text-format scraper, a bounded in-memory time-series store, and the
 * {@link io.meshwork.console.metrics.MetricsBackend} that the graph queries, served either by the
 * embedded store or by a real Prometheus running Kiali's PromQL.
 */
package io.meshwork.console.metrics;
