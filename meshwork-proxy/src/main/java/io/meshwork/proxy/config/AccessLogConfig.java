package io.meshwork.proxy.config;

/** Where access log lines go: a file path, or standard output when {@code path} is null. */
public record AccessLogConfig(String path) {
  public static final AccessLogConfig STDOUT = new AccessLogConfig(null);
}
