/**
 * The proxy-side half of workload identity: a key pair generated locally (the private key never
 * leaves the agent), the CSR sent to the CA, and a scheduler that renews the certificate at half
 * its lifetime with jitter and hands the new key and chain to the TLS contexts. The round trip to
 * the CA is a {@link io.meshwork.security.agent.CertificateTransport} the proxy implements.
 */
package io.meshwork.security.agent;
