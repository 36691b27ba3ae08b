package io.meshwork.config.security;

import io.meshwork.config.types.WorkloadSelector;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * security.istio.io RequestAuthentication: which JWTs the selected workloads accept. A request
 * with an invalid token is rejected; one without a token passes unauthenticated (an
 * AuthorizationPolicy on requestPrincipals makes the token mandatory).
 *
 * @param selector workloads by label (at most one of selector, targetRef, targetRefs)
 * @param targetRef deprecated single form of targetRefs
 * @param targetRefs the Services or Gateways the policy attaches to
 * @param jwtRules the accepted issuers and how to find and check their tokens
 */
public record RequestAuthentication(
    WorkloadSelector selector,
    PolicyTargetReference targetRef,
    @MaxItems(16) List<PolicyTargetReference> targetRefs,
    @MaxItems(4096) List<JWTRule> jwtRules) implements Validatable {

  @Override
  public void validate(Validation v) {
    PolicyTargets.check(v, selector, targetRef, targetRefs);
  }
}
