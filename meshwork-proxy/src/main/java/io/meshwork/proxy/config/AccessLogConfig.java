package io.meshwork.proxy.config;

import java.util.List;
import java.util.Map;

/**
 * One access log: where lines go (a file path, or standard output when {@code path} is null), their
 * format, and which exchanges are logged.
 *
 * @param text a custom text format ({@code log_format.text_format(_source)}), null for Envoy's default line
 * @param json {@code log_format.json_format}: output key to format string, in order; null for text
 * @param filter null to log everything
 */
public record AccessLogConfig(String path, LogTemplate text, Map<String, LogTemplate> json, Filter filter) {
  public static final AccessLogConfig STDOUT = new AccessLogConfig(null);

  /** Envoy's default text line to {@code path}, unfiltered. */
  public AccessLogConfig(String path) {
    this(path, null, null, null);
  }

  /** The access log filters Meshwork evaluates ({@code AccessLogFilter}). */
  public sealed interface Filter {}

  /** {@code extension_filter} {@code envoy.access_loggers.extension_filters.cel}. */
  public record CelFilter(CelExpression expression) implements Filter {}

  /** {@code status_code_filter}: {@code op} is EQ, GE or LE. */
  public record StatusCodeFilter(String op, int value) implements Filter {}

  /** {@code and_filter} / {@code or_filter}. */
  public record Combined(boolean all, List<Filter> filters) implements Filter {}
}
