/** Model records for the networking.istio.io kinds (VirtualService, DestinationRule, Gateway, ServiceEntry, WorkloadEntry, WorkloadGroup, Sidecar; EnvoyFilter and ProxyConfig recognised as unsupported). */
package io.meshwork.config.networking;
