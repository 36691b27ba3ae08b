/** Model records for the Kubernetes Gateway API kinds (Gateway, HTTPRoute, GRPCRoute). */
package io.meshwork.config.gatewayapi;
