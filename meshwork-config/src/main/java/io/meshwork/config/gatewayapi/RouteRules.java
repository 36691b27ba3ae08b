package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Validation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/** Gateway API's CEL rules that HTTPRoute and GRPCRoute share. */
final class RouteRules {
  private RouteRules() {}

  /** The field of a filter's type must be set, and the fields of other types must not. */
  static void oneConfig(Validation v, String field, Enum<?> fieldType, Enum<?> type, Object config) {
    if (type == fieldType && config == null) {
      v.invalidObject("filter." + field + " must be specified for " + fieldType.name() + " filter.type");
    } else if (type != fieldType && config != null) {
      v.invalidObject("filter." + field + " must be nil if the filter.type is not " + fieldType.name());
    }
  }

  /** Header modifiers, redirects and rewrites may appear at most once per rule or backend. */
  static void checkFilterRepeats(Validation v, List<? extends Record> filters) {
    var seen = new HashSet<String>();
    for (var f : filters) {
      String type = switch (f) {
        case HTTPRouteFilter h -> h.type().name();
        case GRPCRoute.GRPCRouteFilter g -> g.type().name();
        default -> "";
      };
      boolean once = type.equals("RequestHeaderModifier") || type.equals("ResponseHeaderModifier")
          || type.equals("RequestRedirect") || type.equals("URLRewrite") || type.equals("CORS");
      if (once && !seen.add(type)) {
        v.invalid(v.at("filters"), List.of(), type + " filter cannot be repeated");
      }
    }
  }

  /** Several references to the same parent must be told apart by sectionName or port. */
  static void checkParentRefs(Validation v, List<ParentReference> refs) {
    var byParent = new HashMap<String, List<ParentReference>>();
    for (var r : refs) {
      byParent.computeIfAbsent(r.parentKey(), k -> new java.util.ArrayList<>()).add(r);
    }
    for (var same : byParent.values()) {
      if (same.size() < 2) {
        continue;
      }
      if (same.stream().anyMatch(r -> r.sectionName() == null && r.port() == null)) {
        v.invalid(v.at("parentRefs"), List.of(),
            "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent");
        return;
      }
      var keys = new HashSet<String>();
      for (var r : same) {
        if (!keys.add(Objects.toString(r.sectionName()) + ":" + Objects.toString(r.port()))) {
          v.invalid(v.at("parentRefs"), List.of(),
              "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent");
          return;
        }
      }
    }
  }

  /** Rule names, where given, are unique within a route. */
  static void checkRuleNames(Validation v, List<String> names) {
    var seen = new HashSet<String>();
    for (var n : names) {
      if (n != null && !seen.add(n)) {
        v.invalid(v.at("rules"), List.of(), "Rule name must be unique within the route");
        return;
      }
    }
  }
}
