/**
 * Traces and access logs for generated configuration: the mesh-wide telemetry settings
 * ({@link io.meshwork.control.observability.MeshTelemetry}, Istio's meshConfig extension providers
 * and defaults), their resolution against Telemetry resources for one proxy (root namespace, then
 * namespace, then workload selector), and the decoration of a proxy's translated listeners with
 * Envoy's HCM {@code tracing} and {@code access_log} blocks.
 */
package io.meshwork.control.observability;
