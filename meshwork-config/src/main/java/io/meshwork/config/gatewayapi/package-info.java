/** Model records for the Kubernetes Gateway API kinds (Gateway, HTTPRoute, GRPCRoute, GatewayClass, ReferenceGrant), with the CEL rules of their CRDs. */
package io.meshwork.config.gatewayapi;
