/**
 * Meshwork's zero-trust library: pure logic shared by the control plane (the certificate
 * authority) and the proxy (the agent's keys and rotation, the authorization and JWT filters). It
 * holds no sockets and no event loops, so the same code is unit-tested here and wired in by the
 * modules that own the network.
 */
package io.meshwork.security;
