/**
 * Kiali's graph and health APIs computed from Istio's standard metrics through a
 * {@link io.meshwork.console.metrics.MetricsBackend}: the same queries Kiali runs, the same node
 * and edge JSON, the same default health thresholds.
 */
package io.meshwork.console.graph;
