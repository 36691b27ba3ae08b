package io.meshwork.security.authz;

/**
 * The engine's answer for one request or connection.
 *
 * @param allowed whether it may proceed
 * @param reason why
 * @param policy {@code namespace/name} of the deciding policy, or null when a default decided
 * @param rule the index of the matching rule in that policy, or -1
 * @param auditPolicy {@code namespace/name} of the first AUDIT policy that matched, or null;
 *     auditing never changes {@link #allowed}
 */
public record Decision(boolean allowed, Reason reason, String policy, int rule, String auditPolicy) {
  /** The body Envoy's RBAC filter (and Meshwork's) sends with a 403. */
  public static final String DENIED_BODY = "RBAC: access denied";

  /** Why a decision was made. */
  public enum Reason {
    /** No ALLOW policy applies, and nothing denied: allowed by default. */
    NO_ALLOW_POLICY,
    /** An ALLOW policy rule matched. */
    ALLOW_MATCHED,
    /** ALLOW policies apply but none matched: denied by default. */
    NO_ALLOW_MATCHED,
    /** A DENY policy rule matched. */
    DENY_MATCHED,
    /** A CUSTOM policy matched; external authorizers are not supported yet, so Meshwork fails closed. */
    CUSTOM_UNSUPPORTED,
    /** The request path is malformed (bad percent escape, control character): rejected with 400. */
    INVALID_PATH
  }

  /** Whether an AUDIT policy matched. */
  public boolean audited() {
    return auditPolicy != null;
  }

  /** The HTTP status of a denial: 400 for a malformed path, 403 otherwise; 0 when allowed. */
  public int httpStatus() {
    return allowed ? 0 : reason == Reason.INVALID_PATH ? 400 : 403;
  }
}
