/** Model records for the telemetry.istio.io kinds (Telemetry). */
package io.meshwork.config.telemetry;
