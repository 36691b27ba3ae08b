/**
 * The gRPC contract of Istio's certificate service ({@code istio.v1.auth.IstioCertificateService}),
 * shared by the control plane (server) and the proxy's certificate agent (client), like the xDS
 * client next to it.
 */
package io.meshwork.xds.ca;
