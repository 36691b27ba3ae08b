package io.meshwork.security.authz;

import io.meshwork.config.codec.ConfigLoader;
import java.util.ArrayList;
import java.util.List;

/** Loads AuthorizationPolicy YAML through the real config loader, failing on any validation error. */
final class Policies {
  private static final ConfigLoader LOADER = ConfigLoader.create();

  private Policies() {}

  /** Each argument is the spec of one policy (indented YAML), named p0, p1, ... in namespace {@code foo}. */
  static List<PolicySource> specs(String... specs) {
    var out = new ArrayList<PolicySource>();
    for (int i = 0; i < specs.length; i++) {
      var yaml = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: p" + i + "\n  namespace: foo\nspec:\n"
          + specs[i].stripIndent().indent(2);
      var docs = LOADER.loadText("p" + i + ".yaml", yaml);
      var d = docs.getFirst();
      if (!d.errors().isEmpty()) {
        throw new AssertionError("policy p" + i + " is invalid: " + d.errors());
      }
      out.add(PolicySource.of(d.resource()));
    }
    return out;
  }

  static AuthorizationEngine engine(String... specs) {
    return AuthorizationEngine.compile(specs(specs));
  }
}
