package io.meshwork.config.networking;

import io.meshwork.config.Kind;
import java.util.List;

/** The networking.istio.io kinds (VirtualService, DestinationRule, Gateway, ServiceEntry, WorkloadEntry, WorkloadGroup, Sidecar; EnvoyFilter and ProxyConfig recognised as unsupported). */
public final class NetworkingKinds {
  private NetworkingKinds() {}

  public static final List<Kind> ALL = List.of();
}
