package io.meshwork.config.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.config.networking.HTTPMatchRequest;
import io.meshwork.config.networking.VirtualService;
import io.meshwork.config.schema.Binder;
import java.util.HashMap;

/**
 * HTTP routes are tried in order: a route after one that matches every request can never be
 * reached, and a match identical to an earlier one never applies.
 */
final class RouteOrderAnalyzer implements Analyzer {
  @Override
  public void analyze(MeshIndex index, Findings out) {
    for (var r : index.ofKind("networking.istio.io", "VirtualService")) {
      var http = r.spec(VirtualService.class).http();
      int catchAll = -1;
      var seen = new HashMap<JsonNode, String>();
      for (int i = 0; i < http.size(); i++) {
        var route = http.get(i);
        if (catchAll >= 0) {
          out.add(Code.UNREACHABLE_ROUTE, r, "spec.http[" + i + "]",
              "this route is never used: spec.http[" + catchAll + "] before it matches every request");
          continue;
        }
        if (route.match().isEmpty()) {
          catchAll = i;
          continue;
        }
        for (int k = 0; k < route.match().size(); k++) {
          var m = route.match().get(k);
          if (matchesEverything(m)) {
            catchAll = i;
          }
          var key = withoutName(m);
          var earlier = seen.putIfAbsent(key, "spec.http[" + i + "].match[" + k + "]");
          if (earlier != null) {
            out.add(Code.UNREACHABLE_ROUTE, r, "spec.http[" + i + "].match[" + k + "]",
                "this match is never used: the same match comes first at " + earlier);
          }
        }
      }
    }
  }

  private static JsonNode withoutName(HTTPMatchRequest m) {
    var json = (ObjectNode) Binder.toJson(m);
    json.remove("name");
    return json;
  }

  /** A match with no condition, or only {@code uri: {prefix: /}}. */
  private static boolean matchesEverything(HTTPMatchRequest m) {
    var json = (ObjectNode) withoutName(m);
    if (json.isEmpty()) {
      return true;
    }
    return json.size() == 1 && json.path("uri").size() == 1 && "/".equals(json.path("uri").path("prefix").asText(null));
  }
}
