package io.meshwork.config.networking;

import io.meshwork.config.Kind;
import java.util.List;

/**
 * The networking.istio.io kinds (VirtualService, DestinationRule, Gateway, ServiceEntry,
 * WorkloadEntry, WorkloadGroup, Sidecar), each in every version Istio serves (v1 preferred);
 * EnvoyFilter, ProxyConfig and extensions.istio.io WasmPlugin are recognised as unsupported so
 * they are reported, never silently dropped.
 */
public final class NetworkingKinds {
  public static final String GROUP = "networking.istio.io";
  public static final String EXTENSIONS_GROUP = "extensions.istio.io";
  static final List<String> VERSIONS = List.of("v1", "v1beta1", "v1alpha3");

  public static final Kind VIRTUAL_SERVICE = Kind.istio(GROUP, "VirtualService", "virtualservices", VERSIONS, VirtualService.class, true);
  public static final Kind DESTINATION_RULE = Kind.istio(GROUP, "DestinationRule", "destinationrules", VERSIONS, DestinationRule.class, true);
  public static final Kind GATEWAY = Kind.istio(GROUP, "Gateway", "gateways", VERSIONS, Gateway.class, true);
  public static final Kind SERVICE_ENTRY = Kind.istio(GROUP, "ServiceEntry", "serviceentries", VERSIONS, ServiceEntry.class, true);
  public static final Kind WORKLOAD_ENTRY = Kind.istio(GROUP, "WorkloadEntry", "workloadentries", VERSIONS, WorkloadEntry.class, true);
  public static final Kind WORKLOAD_GROUP = Kind.istio(GROUP, "WorkloadGroup", "workloadgroups", VERSIONS, WorkloadGroup.class, true);
  public static final Kind SIDECAR = Kind.istio(GROUP, "Sidecar", "sidecars", VERSIONS, Sidecar.class, true);
  public static final Kind ENVOY_FILTER = Kind.unsupported(GROUP, "EnvoyFilter", "envoyfilters", List.of("v1alpha3"));
  public static final Kind PROXY_CONFIG = Kind.unsupported(GROUP, "ProxyConfig", "proxyconfigs", List.of("v1beta1"));
  public static final Kind WASM_PLUGIN = Kind.unsupported(EXTENSIONS_GROUP, "WasmPlugin", "wasmplugins", List.of("v1alpha1"));

  public static final List<Kind> ALL = List.of(
      VIRTUAL_SERVICE, DESTINATION_RULE, GATEWAY, SERVICE_ENTRY, WORKLOAD_ENTRY, WORKLOAD_GROUP, SIDECAR,
      ENVOY_FILTER, PROXY_CONFIG, WASM_PLUGIN);

  private NetworkingKinds() {}
}
