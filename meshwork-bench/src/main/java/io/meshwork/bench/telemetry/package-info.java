/**
 * The cost of telemetry on a proxy hop: throughput and p99 with tracing off and at 0%, 1% and
 * 100% sampling (spans exported to a local collector), and the p99 effect of exporting 10,000
 * spans per second.
 */
package io.meshwork.bench.telemetry;
