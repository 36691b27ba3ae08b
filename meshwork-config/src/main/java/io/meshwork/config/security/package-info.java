/** Model records for the security.istio.io kinds (PeerAuthentication, AuthorizationPolicy, RequestAuthentication). */
package io.meshwork.config.security;
