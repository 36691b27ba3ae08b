/**
 * Model records and validation for the networking.istio.io kinds (VirtualService,
 * DestinationRule, Gateway, ServiceEntry, WorkloadEntry, WorkloadGroup, Sidecar). Each record
 * mirrors one Istio API message; its {@code validate} holds the CRD's CEL rules and the istiod
 * webhook's checks for that message, so errors carry the exact field path. EnvoyFilter,
 * ProxyConfig and WasmPlugin are recognised but unsupported.
 */
package io.meshwork.config.networking;
