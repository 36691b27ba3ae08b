package io.meshwork.config.telemetry;

import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.Map;

/**
 * Changes to the metrics a selector matches: disable them, or override their tags (dimensions).
 *
 * @param match which metrics and traffic direction; absent matches all metrics
 * @param disabled stop producing the matched metrics
 * @param tagOverrides by tag name: UPSERT with a CEL value expression, or REMOVE
 */
public record MetricsOverrides(MetricSelector match, Boolean disabled, Map<String, TagOverride> tagOverrides) implements Validatable {

  /** Istio's standard metrics. */
  public enum IstioMetric {
    ALL_METRICS,
    REQUEST_COUNT,
    REQUEST_DURATION,
    REQUEST_SIZE,
    RESPONSE_SIZE,
    TCP_OPENED_CONNECTIONS,
    TCP_CLOSED_CONNECTIONS,
    TCP_SENT_BYTES,
    TCP_RECEIVED_BYTES,
    GRPC_REQUEST_MESSAGES,
    GRPC_RESPONSE_MESSAGES
  }

  /** A standard metric or a custom metric name (one of the two), and a traffic direction. */
  public record MetricSelector(IstioMetric metric, @MinLength(1) String customMetric, WorkloadMode mode) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (metric != null && customMetric != null) {
        v.invalidObject("only one of metric or customMetric can be set");
      }
    }
  }

  /** What to do with one tag. */
  public enum TagOperation {
    UPSERT,
    REMOVE
  }

  /**
   * Sets a tag to a CEL expression's value, or removes it.
   *
   * @param operation UPSERT when absent
   * @param value the expression (e.g. {@code request.host}); required for UPSERT, forbidden for REMOVE
   */
  public record TagOverride(TagOperation operation, String value) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (operation == TagOperation.UPSERT && (value == null || value.isEmpty())) {
        v.invalidObject("value must be set when operation is UPSERT");
      }
      if (operation == TagOperation.REMOVE && value != null && !value.isEmpty()) {
        v.invalidObject("value must not be set when operation is REMOVE");
      }
    }
  }

  @Override
  public void validate(Validation v) {
    for (var e : tagOverrides.entrySet()) {
      if (e.getKey().isEmpty()) {
        v.invalid(v.at("tagOverrides"), "", "tag names must not be empty");
      }
      if ((e.getValue().operation() == null || e.getValue().operation() == TagOperation.UPSERT)
          && (e.getValue().value() == null || e.getValue().value().isEmpty())) {
        v.required(v.at("tagOverrides").key(e.getKey()).child("value"), "a tag override needs a value expression such as request.host");
      }
    }
  }
}
