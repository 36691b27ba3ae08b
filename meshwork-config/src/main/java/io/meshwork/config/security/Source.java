package io.meshwork.config.security;

import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * Where a request comes from: peer identities (principals, namespaces, service accounts, trust
 * domains), request (JWT) principals and IP ranges; each with its negation. Strings match
 * exactly, or by prefix/suffix with a leading or trailing {@code *}.
 */
public record Source(
    List<String> principals,
    List<String> notPrincipals,
    List<String> requestPrincipals,
    List<String> notRequestPrincipals,
    List<String> namespaces,
    List<String> notNamespaces,
    @MaxItems(16) List<@MaxLength(320) String> serviceAccounts,
    @MaxItems(16) List<@MaxLength(320) String> notServiceAccounts,
    List<String> ipBlocks,
    List<String> notIpBlocks,
    List<String> remoteIpBlocks,
    List<String> notRemoteIpBlocks,
    List<String> trustDomains,
    List<String> notTrustDomains) implements Validatable {

  /** Whether it uses attributes known on plain TCP connections (everything but request principals). */
  boolean hasTcpAttributes() {
    return !principals.isEmpty() || !notPrincipals.isEmpty() || !namespaces.isEmpty() || !notNamespaces.isEmpty()
        || !serviceAccounts.isEmpty() || !notServiceAccounts.isEmpty() || !ipBlocks.isEmpty() || !notIpBlocks.isEmpty()
        || !remoteIpBlocks.isEmpty() || !notRemoteIpBlocks.isEmpty() || !trustDomains.isEmpty() || !notTrustDomains.isEmpty();
  }

  private boolean isEmpty() {
    return !hasTcpAttributes() && requestPrincipals.isEmpty() && notRequestPrincipals.isEmpty();
  }

  @Override
  public void validate(Validation v) {
    if ((!serviceAccounts.isEmpty() || !notServiceAccounts.isEmpty())
        && (!principals.isEmpty() || !notPrincipals.isEmpty() || !namespaces.isEmpty() || !notNamespaces.isEmpty())) {
      v.invalidObject("Cannot set serviceAccounts with namespaces or principals");
    }
    if (isEmpty()) {
      v.invalidObject("a source must set at least one field; remove it to match any source");
    }
    AuthzValues.nonEmpty(v, v.at("principals"), principals);
    AuthzValues.nonEmpty(v, v.at("notPrincipals"), notPrincipals);
    AuthzValues.nonEmpty(v, v.at("requestPrincipals"), requestPrincipals);
    AuthzValues.nonEmpty(v, v.at("notRequestPrincipals"), notRequestPrincipals);
    AuthzValues.nonEmpty(v, v.at("namespaces"), namespaces);
    AuthzValues.nonEmpty(v, v.at("notNamespaces"), notNamespaces);
    AuthzValues.nonEmpty(v, v.at("trustDomains"), trustDomains);
    AuthzValues.nonEmpty(v, v.at("notTrustDomains"), notTrustDomains);
    AuthzValues.serviceAccounts(v, v.at("serviceAccounts"), serviceAccounts);
    AuthzValues.serviceAccounts(v, v.at("notServiceAccounts"), notServiceAccounts);
    AuthzValues.ips(v, v.at("ipBlocks"), ipBlocks);
    AuthzValues.ips(v, v.at("notIpBlocks"), notIpBlocks);
    AuthzValues.ips(v, v.at("remoteIpBlocks"), remoteIpBlocks);
    AuthzValues.ips(v, v.at("notRemoteIpBlocks"), notRemoteIpBlocks);
  }
}
