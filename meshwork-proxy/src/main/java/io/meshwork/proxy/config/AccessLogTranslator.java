package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates {@code access_log} entries: {@code envoy.access_loggers.file} and
 * {@code envoy.access_loggers.stdout}, with Envoy's default line, a {@code text_format} /
 * {@code text_format_source} or a flat {@code json_format}; filters {@code status_code_filter},
 * {@code and_filter}, {@code or_filter} and the CEL {@code extension_filter} (what Istio generates
 * for Telemetry {@code accessLogging.filter.expression}). Other loggers and filters are rejected
 * with their path.
 */
public final class AccessLogTranslator {
  private AccessLogTranslator() {}

  public static List<AccessLogConfig> accessLogs(List<AccessLog> logs, String path) throws ConfigException {
    var out = new ArrayList<AccessLogConfig>();
    for (int i = 0; i < logs.size(); i++) {
      var log = logs.get(i);
      var any = log.getTypedConfig();
      var p = path + "[" + i + "]";
      var filter = log.hasFilter() ? filter(log.getFilter(), p + ".filter") : null;
      try {
        if (any.is(FileAccessLog.class)) {
          var f = any.unpack(FileAccessLog.class);
          if (f.getPath().isEmpty()) {
            throw new ConfigException(p + ".typed_config.path", "a file access log needs a path (or /dev/stdout)");
          }
          if (f.getAccessLogFormatCase() != FileAccessLog.AccessLogFormatCase.LOG_FORMAT
              && f.getAccessLogFormatCase() != FileAccessLog.AccessLogFormatCase.ACCESSLOGFORMAT_NOT_SET) {
            throw new ConfigException(p + ".typed_config", "the deprecated format/json_format fields are not supported; use log_format");
          }
          var target = f.getPath().equals("/dev/stdout") ? null : f.getPath();
          out.add(withFormat(target, f.hasLogFormat() ? f.getLogFormat() : null, filter, p + ".typed_config.log_format"));
        } else if (any.is(StdoutAccessLog.class)) {
          var s = any.unpack(StdoutAccessLog.class);
          out.add(withFormat(null, s.hasLogFormat() ? s.getLogFormat() : null, filter, p + ".typed_config.log_format"));
        } else {
          throw new ConfigException(p + ".typed_config.@type", "access logger " + any.getTypeUrl()
              + " is not supported yet (supported: envoy.access_loggers.file, envoy.access_loggers.stdout)");
        }
      } catch (InvalidProtocolBufferException e) {
        throw new ConfigException(p + ".typed_config", "cannot be decoded (" + e.getMessage() + ")");
      }
    }
    return List.copyOf(out);
  }

  private static AccessLogConfig withFormat(String target, SubstitutionFormatString f, AccessLogConfig.Filter filter,
      String path) throws ConfigException {
    if (f == null) {
      return new AccessLogConfig(target, null, null, filter);
    }
    switch (f.getFormatCase()) {
      case TEXT_FORMAT -> {
        return new AccessLogConfig(target, LogTemplate.parse(f.getTextFormat(), path + ".text_format"), null, filter);
      }
      case TEXT_FORMAT_SOURCE -> {
        if (!f.getTextFormatSource().hasInlineString()) {
          throw new ConfigException(path + ".text_format_source", "only inline_string is supported");
        }
        return new AccessLogConfig(target, LogTemplate.parse(f.getTextFormatSource().getInlineString(),
            path + ".text_format_source.inline_string"), null, filter);
      }
      case JSON_FORMAT -> {
        var fields = new java.util.TreeMap<String, LogTemplate>(); // Envoy writes the keys sorted
        for (var e : f.getJsonFormat().getFieldsMap().entrySet()) {
          if (e.getValue().getKindCase() != Value.KindCase.STRING_VALUE) {
            throw new ConfigException(path + ".json_format." + e.getKey(), "only string values (format strings) are supported");
          }
          fields.put(e.getKey(), LogTemplate.parse(e.getValue().getStringValue(), path + ".json_format." + e.getKey()));
        }
        return new AccessLogConfig(target, null, java.util.Collections.unmodifiableMap(fields), filter);
      }
      default -> throw new ConfigException(path, "a log_format needs text_format, text_format_source or json_format");
    }
  }

  static AccessLogConfig.Filter filter(AccessLogFilter f, String path) throws ConfigException {
    switch (f.getFilterSpecifierCase()) {
      case STATUS_CODE_FILTER -> {
        var c = f.getStatusCodeFilter().getComparison();
        var op = switch (c.getOp()) {
          case EQ -> "EQ";
          case GE -> "GE";
          case LE -> "LE";
          default -> throw new ConfigException(path + ".status_code_filter.comparison.op", c.getOp() + " is not a comparison");
        };
        if (!c.getValue().getRuntimeKey().isEmpty() && !c.hasValue()) {
          throw new ConfigException(path + ".status_code_filter.comparison.value", "a default_value is required");
        }
        return new AccessLogConfig.StatusCodeFilter(op, c.getValue().getDefaultValue());
      }
      case AND_FILTER, OR_FILTER -> {
        boolean all = f.hasAndFilter();
        var list = all ? f.getAndFilter().getFiltersList() : f.getOrFilter().getFiltersList();
        var sub = new ArrayList<AccessLogConfig.Filter>();
        for (int i = 0; i < list.size(); i++) {
          sub.add(filter(list.get(i), path + (all ? ".and_filter" : ".or_filter") + ".filters[" + i + "]"));
        }
        return new AccessLogConfig.Combined(all, List.copyOf(sub));
      }
      case EXTENSION_FILTER -> {
        var any = f.getExtensionFilter().getTypedConfig();
        if (!any.is(ExpressionFilter.class)) {
          throw new ConfigException(path + ".extension_filter.typed_config.@type", "access log filter " + any.getTypeUrl()
              + " is not supported yet (supported: envoy.access_loggers.extension_filters.cel)");
        }
        try {
          var expr = any.unpack(ExpressionFilter.class).getExpression();
          return new AccessLogConfig.CelFilter(CelExpression.parse(expr, path + ".extension_filter.typed_config.expression"));
        } catch (InvalidProtocolBufferException e) {
          throw new ConfigException(path + ".extension_filter.typed_config", "cannot be decoded (" + e.getMessage() + ")");
        }
      }
      default -> throw new ConfigException(path, "access log filter " + f.getFilterSpecifierCase().name().toLowerCase(java.util.Locale.ROOT)
          + " is not supported yet (supported: status_code_filter, and_filter, or_filter, CEL extension_filter)");
    }
  }
}
