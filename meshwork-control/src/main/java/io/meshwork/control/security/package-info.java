/**
 * Translation of Istio's security policies for a workload's inbound side: AuthorizationPolicy to
 * Envoy RBAC filters (HTTP and network) and RequestAuthentication to the {@code jwt_authn} filter,
 * plus the path normalization every inbound connection manager gets. Kept apart from the routing
 * translator so the security behaviour can be read (and tested) in one place.
 */
package io.meshwork.control.security;
