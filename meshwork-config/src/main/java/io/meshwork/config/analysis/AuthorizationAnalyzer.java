package io.meshwork.config.analysis;

import io.meshwork.config.security.AuthorizationPolicy;

/**
 * AuthorizationPolicy sources that name a namespace or a service account the input does not
 * declare: usually a typo, and the policy then silently matches nobody.
 */
final class AuthorizationAnalyzer implements Analyzer {
  @Override
  public void analyze(MeshIndex index, Findings out) {
    for (var r : index.ofKind("security.istio.io", "AuthorizationPolicy")) {
      var ap = r.spec(AuthorizationPolicy.class);
      for (int i = 0; i < ap.rules().size(); i++) {
        var from = ap.rules().get(i).from();
        for (int j = 0; j < from.size(); j++) {
          var s = from.get(j).source();
          if (s == null) {
            continue;
          }
          var p = "spec.rules[" + i + "].from[" + j + "].source";
          checkNamespaces(index, r, p + ".namespaces", s.namespaces(), out);
          checkNamespaces(index, r, p + ".notNamespaces", s.notNamespaces(), out);
          checkPrincipals(index, r, p + ".principals", s.principals(), out);
          checkPrincipals(index, r, p + ".notPrincipals", s.notPrincipals(), out);
          for (int k = 0; k < s.serviceAccounts().size(); k++) {
            var sa = s.serviceAccounts().get(k);
            int slash = sa.indexOf('/');
            if (slash > 0) {
              checkAccount(index, r, p + ".serviceAccounts[" + k + "]", sa.substring(0, slash), sa.substring(slash + 1), out);
            }
          }
        }
      }
    }
  }

  private static void checkNamespaces(MeshIndex index, io.meshwork.config.Resource r, String path, java.util.List<String> namespaces, Findings out) {
    for (int k = 0; k < namespaces.size(); k++) {
      var ns = namespaces.get(k);
      if (!ns.contains("*") && !index.knowsNamespace(ns)) {
        out.add(Code.UNKNOWN_NAMESPACE, r, path + "[" + k + "]", "namespace " + ns + " is not in the input; this source matches no workload there");
      }
    }
  }

  /** Principals are {@code <trust-domain>/ns/<ns>/sa/<sa>}; patterns with {@code *} are not checked. */
  private static void checkPrincipals(MeshIndex index, io.meshwork.config.Resource r, String path, java.util.List<String> principals, Findings out) {
    for (int k = 0; k < principals.size(); k++) {
      var p = principals.get(k);
      var parts = p.split("/");
      if (p.contains("*") || parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
        continue;
      }
      checkAccount(index, r, path + "[" + k + "]", parts[2], parts[4], out);
    }
  }

  private static void checkAccount(MeshIndex index, io.meshwork.config.Resource r, String path, String ns, String sa, Findings out) {
    if (!index.knowsNamespace(ns)) {
      out.add(Code.UNKNOWN_NAMESPACE, r, path, "namespace " + ns + " of service account " + sa + " is not in the input");
    } else if (!index.knowsServiceAccount(ns, sa)) {
      out.add(Code.UNKNOWN_SERVICE_ACCOUNT, r, path, "service account " + ns + "/" + sa
          + " is neither declared nor used by any workload in the input; no caller has this identity");
    }
  }
}
