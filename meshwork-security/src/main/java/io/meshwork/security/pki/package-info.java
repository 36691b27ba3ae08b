/**
 * PKI building blocks shared by the certificate authority and the agent: key algorithms, PEM
 * encoding, and file writes with owner-only permissions.
 */
package io.meshwork.security.pki;
