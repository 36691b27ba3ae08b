/**
 * The sidecar's health port (15021): {@code /healthz/ready} for the proxy itself and
 * {@code /app-health/CONTAINER/{readyz,livez,startupz}} for the app probes the injector rewrote
 * (Istio's app-prober), each performed against the app on the pod's loopback.
 */
package io.meshwork.kubernetes.prober;
