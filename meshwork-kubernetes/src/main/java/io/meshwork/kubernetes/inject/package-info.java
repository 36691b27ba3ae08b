/**
 * Sidecar injection: whether a pod gets a proxy ({@link io.meshwork.kubernetes.inject.InjectionPolicy},
 * Istio's labels and annotation), what it gets ({@link io.meshwork.kubernetes.inject.SidecarInjector}:
 * a {@code meshwork iptables} init container, the proxy as a native sidecar or a first container,
 * token and certificate volumes, probes rewritten through the proxy's health port), and the RFC 6902
 * JSON Patch the mutating webhook answers with ({@link io.meshwork.kubernetes.inject.JsonPatches}).
 * Pods are handled as JSON trees, so fields this code does not know survive untouched.
 */
package io.meshwork.kubernetes.inject;
