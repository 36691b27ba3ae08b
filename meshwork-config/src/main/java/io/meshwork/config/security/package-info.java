/**
 * Model records for the security.istio.io kinds (PeerAuthentication, AuthorizationPolicy,
 * RequestAuthentication) with their CRD rules and istiod's webhook rules. The selection types
 * shared with telemetry.istio.io ({@link io.meshwork.config.types.WorkloadSelector},
 * {@link io.meshwork.config.security.PolicyTargetReference}, {@link io.meshwork.config.security.PolicyTargets})
 * live here too.
 */
package io.meshwork.config.security;
