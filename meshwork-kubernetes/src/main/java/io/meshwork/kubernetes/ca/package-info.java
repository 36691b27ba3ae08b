/**
 * The mesh CA in Kubernetes mode: workloads authenticate with projected ServiceAccount tokens
 * reviewed by the API server ({@link io.meshwork.kubernetes.ca.KubeTokenReviewer}, behind the
 * security module's {@code ServiceAccountTokenVerifier}), and every control plane replica signs with
 * the same root, kept in a Secret ({@link io.meshwork.kubernetes.ca.SharedCaSecret}) and published to
 * every namespace as a ConfigMap for the proxies ({@link io.meshwork.kubernetes.ca.RootCertPublisher}).
 */
package io.meshwork.kubernetes.ca;
