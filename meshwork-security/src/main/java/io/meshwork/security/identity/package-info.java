/** SPIFFE workload identities ({@code spiffe://<trust-domain>/ns/<ns>/sa/<sa>}) as Istio uses them. */
package io.meshwork.security.identity;
