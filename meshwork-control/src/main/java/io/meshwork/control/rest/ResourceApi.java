package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.store.ApplyResult;
import io.meshwork.control.store.ConfigStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Kubernetes-shaped resource endpoints. Every write goes through the store's atomic batch:
 * a body with one invalid document is refused with 422 and every error, and nothing changes.
 */
final class ResourceApi {
  private final ConfigStore store;

  ResourceApi(ConfigStore store) {
    this.store = store;
  }

  void handle(HttpExchange ex) throws IOException {
    var rp = ResourcePath.parse(ex.getRequestURI().getPath());
    switch (ex.getRequestMethod()) {
      case "GET" -> get(ex, rp);
      case "PUT", "POST" -> put(ex, rp);
      case "DELETE" -> delete(ex, rp);
      default -> throw new Http.Failure(405, "MethodNotAllowed", ex.getRequestMethod() + " is not supported; use GET, PUT, POST or DELETE");
    }
  }

  private void get(HttpExchange ex, ResourcePath rp) throws IOException {
    var snap = store.snapshot();
    if (rp.name() != null) {
      var r = snap.get(new ResourceKey(rp.kind().group(), rp.kind().kind(), rp.namespace(), rp.name()));
      if (r == null) {
        throw Http.notFound(rp.kind().plural() + " \"" + rp.name() + "\" not found" + (rp.namespace().isEmpty() ? "" : " in namespace " + rp.namespace()));
      }
      Http.json(ex, 200, io.meshwork.config.kube.Secret.forDisplay(r));
      return;
    }
    var list = ConfigLoader.JSON.createObjectNode();
    list.put("apiVersion", rp.kind().apiVersion());
    list.put("kind", rp.kind().kind() + "List");
    list.putObject("metadata").put("resourceVersion", Long.toString(snap.revision()));
    var items = list.putArray("items");
    for (var r : snap.ofKind(rp.kind().group(), rp.kind().kind())) {
      if (rp.namespace() == null || rp.namespace().equals(r.namespace())) {
        items.add(io.meshwork.config.kube.Secret.forDisplay(r));
      }
    }
    Http.json(ex, 200, list);
  }

  private void put(HttpExchange ex, ResourcePath rp) throws IOException {
    var docs = Documents.load("request", Http.body(ex), rp.namespace());
    if (docs.size() != 1) {
      throw Http.badRequest("the body must hold exactly one " + rp.kind().kind() + " document, it holds " + docs.size());
    }
    var d = docs.getFirst();
    if (d.valid()) {
      var key = d.resource().key();
      if (!key.kind().equals(rp.kind().kind()) || !key.group().equals(rp.kind().group())) {
        throw Http.badRequest("the body is a " + key.kind() + ", the path names " + rp.kind().plural());
      }
      if (rp.name() != null && !key.name().equals(rp.name())) {
        throw Http.badRequest("metadata.name \"" + key.name() + "\" does not match the name in the path \"" + rp.name() + "\"");
      }
      if (rp.namespace() != null && !key.namespace().equals(rp.namespace())) {
        throw Http.badRequest("metadata.namespace \"" + key.namespace() + "\" does not match the namespace in the path \"" + rp.namespace() + "\"");
      }
    }
    var result = store.apply(ConfigStore.API, docs);
    if (!result.ok()) {
      Http.status(ex, 422, "Invalid", String.join("\n", result.errors()));
      return;
    }
    var change = result.changes().getFirst();
    Http.json(ex, change.action() == ApplyResult.Action.CREATED ? 201 : 200, io.meshwork.config.kube.Secret.forDisplay(store.snapshot().get(change.key())));
  }

  private void delete(HttpExchange ex, ResourcePath rp) throws IOException {
    if (rp.name() == null) {
      throw Http.badRequest("name the resource to delete: .../" + rp.kind().plural() + "/NAME");
    }
    var key = new ResourceKey(rp.kind().group(), rp.kind().kind(), rp.namespace() == null ? "" : rp.namespace(), rp.name());
    var result = store.delete(List.of(key));
    if (result.changes().getFirst().action() == ApplyResult.Action.NOT_FOUND) {
      throw Http.notFound(rp.kind().plural() + " \"" + rp.name() + "\" not found");
    }
    Http.status(ex, 200, "Deleted", key + " deleted");
  }

  /** POST /apis/meshwork.io/v1/apply[?namespace=NS]: many documents, all or nothing. */
  void apply(HttpExchange ex) throws IOException {
    requirePost(ex);
    var ns = query(ex, "namespace");
    var docs = Documents.load("request", Http.body(ex), ns);
    if (docs.isEmpty()) {
      throw Http.badRequest("the body holds no YAML or JSON documents");
    }
    var result = store.apply(ConfigStore.API, docs);
    if (!result.ok()) {
      var o = summary(result);
      o.put("message", result.errors().size() + " error(s); nothing was applied");
      Http.json(ex, 422, o);
      return;
    }
    Http.json(ex, 200, summary(result));
  }

  /** POST /apis/meshwork.io/v1/delete[?namespace=NS]: deletes what the documents name. */
  void deleteBatch(HttpExchange ex) throws IOException {
    requirePost(ex);
    var errors = new ArrayList<String>();
    var keys = Documents.keys(Http.body(ex), query(ex, "namespace"), errors);
    if (!errors.isEmpty()) {
      var o = ConfigLoader.JSON.createObjectNode();
      errors.forEach(o.putArray("errors")::add);
      o.putArray("results");
      Http.json(ex, 400, o);
      return;
    }
    Http.json(ex, 200, summary(store.delete(keys)));
  }

  private static ObjectNode summary(ApplyResult r) {
    var o = ConfigLoader.JSON.createObjectNode();
    o.put("revision", r.revision());
    var results = o.putArray("results");
    for (var c : r.changes()) {
      var e = results.addObject();
      e.put("kind", c.key().kind());
      e.put("namespace", c.key().namespace());
      e.put("name", c.key().name());
      e.put("action", c.action().name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
    var errors = o.putArray("errors");
    r.errors().forEach(errors::add);
    return o;
  }

  private static void requirePost(HttpExchange ex) {
    if (!ex.getRequestMethod().equals("POST")) {
      throw new Http.Failure(405, "MethodNotAllowed", "use POST");
    }
  }

  static String query(HttpExchange ex, String name) {
    var q = ex.getRequestURI().getRawQuery();
    if (q == null) {
      return null;
    }
    for (var part : q.split("&")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(part.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
