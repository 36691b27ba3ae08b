package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/**
 * Tracing settings: the provider (only one is supported), the sampling percentage, extra span tags
 * and whether spans are reported at all.
 *
 * @param match the traffic direction it applies to
 * @param providers the tracing provider (Istio supports one)
 * @param randomSamplingPercentage 0..100; absent inherits
 * @param disableSpanReporting stop reporting spans (headers are still propagated)
 * @param customTags extra tags by tag name
 * @param useRequestIdForTraceSampling sample on the x-request-id (consistent across hops)
 * @param enableIstioTags add Istio's own tags to spans (true when absent)
 * @param disableContextPropagation stop propagating trace context headers
 */
public record Tracing(
    TracingSelector match,
    @MaxItems(1) List<ProviderRef> providers,
    @Min(0) @Max(100) Double randomSamplingPercentage,
    Boolean disableSpanReporting,
    Map<String, CustomTag> customTags,
    Boolean useRequestIdForTraceSampling,
    Boolean enableIstioTags,
    Boolean disableContextPropagation) implements Validatable {

  /** The traffic direction a tracing setting applies to. */
  public record TracingSelector(WorkloadMode mode) {}

  /**
   * A span tag: a literal, an environment variable of the proxy, a request header, or an access
   * log formatter expression (exactly one).
   */
  public record CustomTag(Literal literal, Environment environment, RequestHeader header, Formatter formatter) implements Validatable {
    @Override
    public void validate(Validation v) {
      int set = (literal != null ? 1 : 0) + (environment != null ? 1 : 0) + (header != null ? 1 : 0) + (formatter != null ? 1 : 0);
      if (set != 1) {
        v.invalidObject("exactly one of literal, environment, header or formatter must be set");
      }
    }
  }

  /** A tag computed per request by an access-log formatter expression such as {@code %REQ(:authority)%}. */
  public record Formatter(@Required @MinLength(1) String value) {}

  /** A fixed tag value. */
  public record Literal(@Required @MinLength(1) String value) {}

  /** A tag from an environment variable of the proxy, with a fallback. */
  public record Environment(@Required @MinLength(1) String name, String defaultValue) {}

  /** A tag from a request header, with a fallback. */
  public record RequestHeader(@Required @MinLength(1) String name, String defaultValue) {}

  @Override
  public void validate(Validation v) {
    for (var name : customTags.keySet()) {
      if (name.isEmpty()) {
        v.invalid(v.at("customTags"), name, "tag names must not be empty");
      }
    }
  }
}
