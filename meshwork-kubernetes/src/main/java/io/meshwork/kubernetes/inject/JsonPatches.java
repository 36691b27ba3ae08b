package io.meshwork.kubernetes.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;

/**
 * The RFC 6902 JSON Patch that turns one document into another, as the API server applies it to an
 * admission request's object. Objects are compared member by member ({@code add}, {@code remove},
 * {@code replace}); arrays of equal length element by element; an array whose length changes is
 * replaced whole, which keeps the patch obviously correct (no index arithmetic) at the cost of a
 * few bytes. Path segments escape {@code ~} and {@code /} (RFC 6901), which annotation keys need.
 */
public final class JsonPatches {
  private JsonPatches() {}

  public static ArrayNode diff(JsonNode source, JsonNode target) {
    var ops = JsonNodeFactory.instance.arrayNode();
    diff("", source, target, ops);
    return ops;
  }

  private static void diff(String path, JsonNode a, JsonNode b, ArrayNode ops) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      var removed = new ArrayList<String>();
      for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        var f = it.next();
        if (!b.has(f)) {
          removed.add(f);
        }
      }
      for (var f : removed) {
        op(ops, "remove", path + "/" + escape(f), null);
      }
      for (var it = b.properties().iterator(); it.hasNext(); ) {
        var e = it.next();
        var p = path + "/" + escape(e.getKey());
        if (!a.has(e.getKey())) {
          op(ops, "add", p, e.getValue());
        } else {
          diff(p, a.get(e.getKey()), e.getValue(), ops);
        }
      }
      return;
    }
    if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(path + "/" + i, a.get(i), b.get(i), ops);
      }
      return;
    }
    op(ops, "replace", path, b);
  }

  private static void op(ArrayNode ops, String op, String path, JsonNode value) {
    ObjectNode o = ops.addObject();
    o.put("op", op);
    o.put("path", path);
    if (value != null) {
      o.set("value", value.deepCopy());
    }
  }

  static String escape(String segment) {
    return segment.replace("~", "~0").replace("/", "~1");
  }
}
