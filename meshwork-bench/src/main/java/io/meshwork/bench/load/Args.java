package io.meshwork.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} arguments of the bench's own process entry points (repeatable names keep every value). */
public final class Args {
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  public Args(String[] args) {
    for (int i = 0; i < args.length; i++) {
      var a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("argument " + a + ": expected --name value pairs");
      }
      values.computeIfAbsent(a.substring(2), x -> new ArrayList<>()).add(args[++i]);
    }
  }

  public String get(String name, String fallback) {
    var v = values.get(name);
    return v == null ? fallback : v.getLast();
  }

  public int getInt(String name, int fallback) {
    var v = get(name, null);
    try {
      return v == null ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " " + v + ": expected a whole number");
    }
  }

  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }
}
