package io.meshwork.config;

import io.meshwork.config.gatewayapi.GatewayApiKinds;
import io.meshwork.config.kube.KubeKinds;
import io.meshwork.config.networking.NetworkingKinds;
import io.meshwork.config.security.SecurityKinds;
import io.meshwork.config.telemetry.TelemetryKinds;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every kind Meshwork reads, looked up by group and kind, or by plural for the REST API. */
public final class Kinds {
  private static final List<Kind> ALL;
  private static final Map<String, Kind> BY_GROUP_KIND = new HashMap<>();
  private static final Map<String, Kind> BY_GROUP_PLURAL = new HashMap<>();

  static {
    var all = new ArrayList<Kind>();
    all.addAll(NetworkingKinds.ALL);
    all.addAll(SecurityKinds.ALL);
    all.addAll(TelemetryKinds.ALL);
    all.addAll(GatewayApiKinds.ALL);
    all.addAll(KubeKinds.ALL);
    ALL = Collections.unmodifiableList(all);
    for (var k : ALL) {
      BY_GROUP_KIND.put(k.group() + "/" + k.kind(), k);
      BY_GROUP_PLURAL.put(k.group() + "/" + k.plural(), k);
    }
  }

  private Kinds() {}

  public static List<Kind> all() {
    return ALL;
  }

  public static Kind byGroupKind(String group, String kind) {
    return BY_GROUP_KIND.get(group + "/" + kind);
  }

  public static Kind byGroupPlural(String group, String plural) {
    return BY_GROUP_PLURAL.get(group + "/" + plural);
  }

  /**
   * Finds a kind by what a user types: kind name or plural, any case ({@code vs} and {@code dr} too).
   * Istio kinds win over Gateway API kinds of the same name ({@code Gateway}).
   */
  public static Kind byUserName(String name) {
    var n = name.toLowerCase(java.util.Locale.ROOT);
    switch (n) {
      case "vs" -> n = "virtualservice";
      case "dr" -> n = "destinationrule";
      case "se" -> n = "serviceentry";
      case "we" -> n = "workloadentry";
      case "gw" -> n = "gateway";
      case "pa" -> n = "peerauthentication";
      case "ap" -> n = "authorizationpolicy";
      case "ra" -> n = "requestauthentication";
      case "svc" -> n = "service";
      case "sa" -> n = "serviceaccount";
      case "ns" -> n = "namespace";
      default -> {}
    }
    for (var k : ALL) {
      if (k.kind().equalsIgnoreCase(n) || k.plural().equals(n) || (k.kind() + "s").equalsIgnoreCase(n)) {
        return k;
      }
    }
    return null;
  }

  /** The kinds Meshwork acts on, named for messages ({@code VirtualService, DestinationRule, ...}). */
  public static String supportedNames() {
    var sb = new StringBuilder();
    for (var k : ALL) {
      if (k.supported()) {
        if (!sb.isEmpty()) {
          sb.append(", ");
        }
        sb.append(k.kind());
      }
    }
    return sb.toString();
  }
}
