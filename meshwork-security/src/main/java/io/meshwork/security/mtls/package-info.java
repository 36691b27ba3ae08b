/**
 * PeerAuthentication resolution: which mutual TLS mode (STRICT, PERMISSIVE, DISABLE) a workload
 * port accepts, from the mesh-, namespace- and workload-level policies with Istio's precedence.
 */
package io.meshwork.security.mtls;
