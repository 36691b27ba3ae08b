/**
 * The control plane's certificate authority service: Istio's {@code IstioCertificateService} on
 * port 15012 over TLS, join-token authentication in local mode, and the join token issuing API.
 * The signing itself is {@code io.meshwork.security.ca}; this package is the network around it.
 */
package io.meshwork.control.ca;
