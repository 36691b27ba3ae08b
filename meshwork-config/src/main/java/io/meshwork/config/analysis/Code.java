package io.meshwork.config.analysis;

/**
 * Stable finding codes. Codes are never reused for another meaning; the titles mirror the names
 * istioctl analyze and Kiali use for the same checks so that users can search for them.
 */
public enum Code {
  SCHEMA_VALIDATION_ERROR("MW0001", "SchemaValidationError", Severity.ERROR),
  UNSUPPORTED_KIND("MW0002", "UnsupportedKind", Severity.WARNING),
  RESOURCE_REPLACED("MW0003", "ResourceReplaced", Severity.INFO),
  VALIDATION_WARNING("MW0004", "ValidationWarning", Severity.WARNING),
  REFERENCED_HOST_NOT_FOUND("MW0101", "ReferencedHostNotFound", Severity.ERROR),
  SUBSET_NOT_FOUND("MW0102", "SubsetNotFound", Severity.ERROR),
  SUBSET_SELECTS_NO_WORKLOAD("MW0103", "SubsetSelectsNoWorkload", Severity.WARNING),
  GATEWAY_NOT_FOUND("MW0104", "GatewayNotFound", Severity.ERROR),
  CONFLICTING_VIRTUAL_SERVICES("MW0105", "ConflictingVirtualServiceHosts", Severity.ERROR),
  CONFLICTING_DESTINATION_RULES("MW0106", "ConflictingDestinationRules", Severity.WARNING),
  UNREACHABLE_ROUTE("MW0107", "VirtualServiceUnreachableRule", Severity.WARNING),
  MTLS_CONFLICT("MW0108", "MTLSPolicyConflict", Severity.ERROR),
  UNKNOWN_NAMESPACE("MW0109", "ReferencedNamespaceNotFound", Severity.WARNING),
  UNKNOWN_SERVICE_ACCOUNT("MW0110", "ReferencedServiceAccountNotFound", Severity.WARNING),
  PORT_NAME_CONVENTION("MW0111", "PortNameIsNotUnderNamingConvention", Severity.INFO),
  SELECTOR_MATCHES_NOTHING("MW0112", "NoMatchingWorkloadsFound", Severity.WARNING);

  private final String id;
  private final String title;
  private final Severity severity;

  Code(String id, String title, Severity severity) {
    this.id = id;
    this.title = title;
    this.severity = severity;
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  /** The usual severity; an analyzer may lower it where it cannot be sure (see ANALYSIS.md). */
  public Severity severity() {
    return severity;
  }
}
