package io.meshwork.proxy.config;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Headers to remove, then headers to add, at one level of the route configuration (weighted
 * cluster, route, virtual host, route table). Values are literal; Envoy's %VARIABLE% substitution
 * is not implemented yet.
 */
public record HeaderMutations(List<Add> add, List<String> remove) {
  public static final HeaderMutations NONE = new HeaderMutations(List.of(), List.of());

  /** How an added header combines with existing values (Envoy's {@code append_action}). */
  public enum Action { APPEND_IF_EXISTS_OR_ADD, ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD, OVERWRITE_IF_EXISTS }

  /** One {@code HeaderValueOption}. */
  public record Add(String name, String value, Action action, boolean keepEmpty) {}

  public boolean isEmpty() {
    return add.isEmpty() && remove.isEmpty();
  }

  /**
   * Applies the mutations. Runs four times per response and twice per request, mostly with nothing to
   * do; indexed loops because the proxy runs C1-compiled (scripts/proxy.jvmopts), which does not
   * eliminate an iterator per for-each loop as C2 would.
   */
  public void apply(HttpHeaders headers) {
    for (int i = 0, n = remove.size(); i < n; i++) {
      headers.remove(remove.get(i));
    }
    for (int i = 0, n = add.size(); i < n; i++) {
      var a = add.get(i);
      if (a.value().isEmpty() && !a.keepEmpty()) {
        continue;
      }
      switch (a.action()) {
        case APPEND_IF_EXISTS_OR_ADD -> headers.add(a.name(), a.value());
        case ADD_IF_ABSENT -> {
          if (!headers.contains(a.name())) {
            headers.add(a.name(), a.value());
          }
        }
        case OVERWRITE_IF_EXISTS_OR_ADD -> headers.set(a.name(), a.value());
        case OVERWRITE_IF_EXISTS -> {
          if (headers.contains(a.name())) {
            headers.set(a.name(), a.value());
          }
        }
      }
    }
  }
}
