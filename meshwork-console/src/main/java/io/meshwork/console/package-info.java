/**
 * The Meshwork console: one process that stores traces (and answers Jaeger's query API), scrapes
 * proxy metrics (and answers Kiali's graph API), and serves the web UI from the jar. It depends on
 * no other Meshwork module, so it can run beside any mesh that exposes Istio metrics and traces.
 */
package io.meshwork.console;
