/**
 * Mesh mTLS in the proxy: the certificate agent (join token, CSR to the control plane's CA,
 * rotation), the in-process secret store that serves the SDS names {@code default} and
 * {@code ROOTCA} to the TLS contexts, PERMISSIVE plaintext/TLS detection, the peer identity a
 * downstream handshake proves, and the SAN check of upstream handshakes.
 */
package io.meshwork.proxy.mtls;
