/**
 * The mesh certificate authority: a self-signed root persisted under a state directory or a
 * plug-in CA from files (Istio's {@code cacerts}), workload certificates signed from a CSR for
 * the identity the caller <em>proved</em> (join tokens in local mode, a pluggable
 * {@link io.meshwork.security.ca.IdentityVerifier} for Kubernetes), and root rotation with an
 * overlap during which the trust bundle holds both roots.
 */
package io.meshwork.security.ca;
