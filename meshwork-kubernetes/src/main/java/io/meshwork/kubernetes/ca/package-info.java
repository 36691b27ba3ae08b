/**
 * The mesh CA in Kubernetes mode: workloads authenticate with projected ServiceAccount tokens
 * reviewed by the API server ({@link io.meshwork.kubernetes.ca.KubeTokenReviewer}, behind the
 * security module's {@code ServiceAccountTokenVerifier}), and every control plane replica signs with
 * the same root, kept in a Secret ({@link io.meshwork.kubernetes.ca.SharedCaSecret}).
 */
package io.meshwork.kubernetes.ca;
