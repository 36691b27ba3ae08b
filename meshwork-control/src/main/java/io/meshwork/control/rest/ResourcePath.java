package io.meshwork.control.rest;

import io.meshwork.config.Kind;
import io.meshwork.config.Kinds;

/**
 * A Kubernetes-shaped resource path: {@code /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME]}, or
 * {@code /api/v1/...} for the core group. A null namespace means all namespaces.
 */
record ResourcePath(Kind kind, String version, String namespace, String name) {

  static ResourcePath parse(String path) {
    var p = path.replaceAll("/+$", "").split("/");
    int i;
    String group;
    String version;
    if (p.length >= 3 && p[1].equals("api")) {
      group = "";
      version = p[2];
      i = 3;
    } else if (p.length >= 4 && p[1].equals("apis")) {
      group = p[2];
      version = p[3];
      i = 4;
    } else {
      throw Http.notFound("the server could not find the requested resource " + path);
    }
    String ns = null;
    if (p.length > i + 2 && p[i].equals("namespaces")) {
      ns = p[i + 1];
      i += 2;
    }
    if (p.length <= i) {
      throw Http.notFound("the server could not find the requested resource " + path + "; name a resource type such as virtualservices");
    }
    var kind = Kinds.byGroupPlural(group, p[i]);
    if (kind == null) {
      throw Http.notFound("the server does not know the resource type \"" + p[i] + "\" in API group \""
          + (group.isEmpty() ? "core" : group) + "\"; Meshwork reads " + Kinds.supportedNames());
    }
    if (!kind.versions().contains(version)) {
      throw Http.notFound("the server does not serve " + kind.kind() + " at version " + version + "; use " + kind.apiVersion());
    }
    String name = p.length > i + 1 ? p[i + 1] : null;
    if (p.length > i + 2) {
      throw Http.notFound("the server could not find the requested resource " + path);
    }
    if (kind.namespaced() && ns == null && name != null) {
      throw Http.notFound(kind.kind() + " is namespaced: use .../namespaces/NS/" + kind.plural() + "/" + name);
    }
    return new ResourcePath(kind, version, kind.namespaced() ? ns : "", name);
  }
}
