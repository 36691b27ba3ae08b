package io.meshwork.security.authz;

import io.meshwork.config.Resource;
import io.meshwork.config.security.AuthorizationPolicy;

/**
 * One AuthorizationPolicy with the name and namespace the engine reports and resolves
 * {@code serviceAccounts} against.
 */
public record PolicySource(String namespace, String name, AuthorizationPolicy policy) {
  /** From a loaded resource of kind AuthorizationPolicy. */
  public static PolicySource of(Resource r) {
    return new PolicySource(r.namespace(), r.name(), r.spec(AuthorizationPolicy.class));
  }

  /** {@code namespace/name}. */
  public String id() {
    return namespace + "/" + name;
  }
}
