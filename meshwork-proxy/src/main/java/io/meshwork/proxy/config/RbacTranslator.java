package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Envoy's RBAC protos ({@code extensions.filters.http.rbac.v3.RBAC},
 * {@code extensions.filters.network.rbac.v3.RBAC}, {@code config.rbac.v3.RBAC}) to
 * {@link RbacConfig}. Every field the proxy cannot evaluate (CEL conditions, {@code matcher}
 * trees, filter state, URI templates, ...) is rejected with its path: a policy that silently
 * ignored a condition would allow or deny more than it says.
 */
public final class RbacTranslator {
  private RbacTranslator() {}

  /** An HTTP RBAC filter. */
  public static RbacConfig http(com.google.protobuf.Any any, String path) throws ConfigException {
    try {
      var f = any.unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class);
      if (f.hasMatcher() || f.hasShadowMatcher()) {
        throw new ConfigException(path + ".matcher", "RBAC matcher trees are not supported; use rules");
      }
      return new RbacConfig(f.hasRules() ? policies(f.getRules(), path + ".rules") : null,
          f.hasShadowRules() ? policies(f.getShadowRules(), path + ".shadow_rules") : null, f.getRulesStatPrefix());
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(path, "cannot be decoded (" + e.getMessage() + ")");
    }
  }

  /** A network RBAC filter. */
  public static RbacConfig network(com.google.protobuf.Any any, String path) throws ConfigException {
    try {
      var f = any.unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
      if (f.hasMatcher() || f.hasShadowMatcher()) {
        throw new ConfigException(path + ".matcher", "RBAC matcher trees are not supported; use rules");
      }
      return new RbacConfig(f.hasRules() ? policies(f.getRules(), path + ".rules") : null,
          f.hasShadowRules() ? policies(f.getShadowRules(), path + ".shadow_rules") : null, f.getStatPrefix());
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(path, "cannot be decoded (" + e.getMessage() + ")");
    }
  }

  static RbacConfig.Policies policies(RBAC rbac, String path) throws ConfigException {
    var action = switch (rbac.getAction()) {
      case ALLOW -> RbacConfig.Action.ALLOW;
      case DENY -> RbacConfig.Action.DENY;
      case LOG -> RbacConfig.Action.LOG;
      default -> throw new ConfigException(path + ".action", rbac.getAction() + " is not supported (ALLOW, DENY or LOG)");
    };
    var out = new ArrayList<RbacConfig.Policy>();
    // Envoy keeps policies in a map; evaluate in name order so the reported policy is deterministic.
    for (var e : new java.util.TreeMap<>(rbac.getPoliciesMap()).entrySet()) {
      var p = e.getValue();
      var pPath = path + ".policies[" + e.getKey() + "]";
      if (p.hasCondition() || p.hasCheckedCondition()) {
        throw new ConfigException(pPath + ".condition", "CEL conditions are not supported");
      }
      if (p.getPermissionsCount() == 0 || p.getPrincipalsCount() == 0) {
        throw new ConfigException(pPath, "a policy needs at least one permission and one principal (use any: true)");
      }
      var perms = new ArrayList<RbacRule>();
      for (int i = 0; i < p.getPermissionsCount(); i++) {
        perms.add(permission(p.getPermissions(i), pPath + ".permissions[" + i + "]"));
      }
      var ids = new ArrayList<RbacRule>();
      for (int i = 0; i < p.getPrincipalsCount(); i++) {
        ids.add(principal(p.getPrincipals(i), pPath + ".principals[" + i + "]"));
      }
      out.add(new RbacConfig.Policy(e.getKey(), List.copyOf(perms), List.copyOf(ids)));
    }
    return new RbacConfig.Policies(action, List.copyOf(out));
  }

  static RbacRule permission(Permission p, String path) throws ConfigException {
    return switch (p.getRuleCase()) {
      case ANY -> new RbacRule.Any();
      case AND_RULES -> new RbacRule.And(permissions(p.getAndRules().getRulesList(), path + ".and_rules.rules"));
      case OR_RULES -> new RbacRule.Or(permissions(p.getOrRules().getRulesList(), path + ".or_rules.rules"));
      case NOT_RULE -> new RbacRule.Not(permission(p.getNotRule(), path + ".not_rule"));
      case HEADER -> new RbacRule.Header(RouteTranslator.header(p.getHeader(), path + ".header"));
      case URL_PATH -> urlPath(p.getUrlPath(), path + ".url_path");
      case DESTINATION_IP -> new RbacRule.DestinationIp(cidr(p.getDestinationIp(), path + ".destination_ip"));
      case DESTINATION_PORT -> new RbacRule.DestinationPort(p.getDestinationPort(), p.getDestinationPort() + 1);
      case DESTINATION_PORT_RANGE -> new RbacRule.DestinationPort(p.getDestinationPortRange().getStart(),
          p.getDestinationPortRange().getEnd());
      case REQUESTED_SERVER_NAME -> new RbacRule.ServerName(
          RouteTranslator.string(p.getRequestedServerName(), path + ".requested_server_name"));
      case METADATA -> metadata(p.getMetadata(), path + ".metadata");
      default -> throw new ConfigException(path, "RBAC permission " + p.getRuleCase() + " is not supported");
    };
  }

  static RbacRule principal(Principal p, String path) throws ConfigException {
    return switch (p.getIdentifierCase()) {
      case ANY -> new RbacRule.Any();
      case AND_IDS -> new RbacRule.And(principals(p.getAndIds().getIdsList(), path + ".and_ids.ids"));
      case OR_IDS -> new RbacRule.Or(principals(p.getOrIds().getIdsList(), path + ".or_ids.ids"));
      case NOT_ID -> new RbacRule.Not(principal(p.getNotId(), path + ".not_id"));
      case AUTHENTICATED -> new RbacRule.Authenticated(p.getAuthenticated().hasPrincipalName()
          ? RouteTranslator.string(p.getAuthenticated().getPrincipalName(), path + ".authenticated.principal_name") : null);
      case SOURCE_IP -> new RbacRule.RemoteIp(cidr(sourceIp(p), path + ".source_ip"), RbacRule.Address.DIRECT);
      case DIRECT_REMOTE_IP -> new RbacRule.RemoteIp(cidr(p.getDirectRemoteIp(), path + ".direct_remote_ip"), RbacRule.Address.DIRECT);
      case REMOTE_IP -> new RbacRule.RemoteIp(cidr(p.getRemoteIp(), path + ".remote_ip"), RbacRule.Address.REMOTE);
      case HEADER -> new RbacRule.Header(RouteTranslator.header(p.getHeader(), path + ".header"));
      case URL_PATH -> urlPath(p.getUrlPath(), path + ".url_path");
      case METADATA -> metadata(p.getMetadata(), path + ".metadata");
      default -> throw new ConfigException(path, "RBAC principal " + p.getIdentifierCase() + " is not supported");
    };
  }

  @SuppressWarnings("deprecation")
  private static CidrRange sourceIp(Principal p) {
    return p.getSourceIp();
  }

  private static List<RbacRule> permissions(List<Permission> list, String path) throws ConfigException {
    var out = new ArrayList<RbacRule>();
    for (int i = 0; i < list.size(); i++) {
      out.add(permission(list.get(i), path + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static List<RbacRule> principals(List<Principal> list, String path) throws ConfigException {
    var out = new ArrayList<RbacRule>();
    for (int i = 0; i < list.size(); i++) {
      out.add(principal(list.get(i), path + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  private static RbacRule urlPath(io.envoyproxy.envoy.type.matcher.v3.PathMatcher m, String path) throws ConfigException {
    if (!m.hasPath()) {
      throw new ConfigException(path + ".path", "a url_path matcher needs path");
    }
    return new RbacRule.UrlPath(RouteTranslator.string(m.getPath(), path + ".path"));
  }

  private static RbacRequest.Cidr cidr(CidrRange c, String path) throws ConfigException {
    return RbacRequest.Cidr.parse(c.getAddressPrefix(), c.hasPrefixLen() ? c.getPrefixLen().getValue() : 0, path);
  }

  private static RbacRule metadata(MetadataMatcher m, String path) throws ConfigException {
    var keys = new ArrayList<String>();
    for (var seg : m.getPathList()) {
      keys.add(seg.getKey());
    }
    if (m.getFilter().isEmpty() || keys.isEmpty()) {
      throw new ConfigException(path, "a metadata matcher needs filter and path");
    }
    var v = m.getValue();
    if (v.hasStringMatch()) {
      return new RbacRule.Metadata(m.getFilter(), List.copyOf(keys), RouteTranslator.string(v.getStringMatch(), path + ".value.string_match"),
          false, m.getInvert());
    }
    if (v.hasListMatch() && v.getListMatch().getOneOf().hasStringMatch()) {
      return new RbacRule.Metadata(m.getFilter(), List.copyOf(keys),
          RouteTranslator.string(v.getListMatch().getOneOf().getStringMatch(), path + ".value.list_match.one_of.string_match"),
          true, m.getInvert());
    }
    throw new ConfigException(path + ".value", "only string_match and list_match.one_of.string_match are supported");
  }
}
