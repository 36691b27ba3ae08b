/**
 * The AuthorizationPolicy engine: policies compiled once into an immutable evaluator with Istio's
 * semantics (CUSTOM, then DENY, then ALLOW; AUDIT reported on the side), request paths normalized
 * before matching, and Istio's rules for HTTP-only fields on TCP connections. Which policies apply
 * to a workload (selector, targetRefs) is decided by the caller; see SECURITY.md.
 */
package io.meshwork.security.authz;
