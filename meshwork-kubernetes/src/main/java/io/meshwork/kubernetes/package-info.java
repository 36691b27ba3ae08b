/**
 * Kubernetes mode of Meshwork: what {@code meshwork install} renders and applies
 * ({@code install}), the informers that feed the control plane's store from the cluster
 * ({@code sync}), ServiceAccount-token authentication and the CA key shared between replicas
 * ({@code ca}), the sidecar injector ({@code inject}) and the admission webhook server
 * ({@code webhook}). See {@code meshwork-kubernetes/KUBERNETES.md}.
 */
package io.meshwork.kubernetes;
