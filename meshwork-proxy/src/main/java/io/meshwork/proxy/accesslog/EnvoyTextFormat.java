package io.meshwork.proxy.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Envoy's default access log format:
 * <pre>
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 * "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 * </pre>
 * (one line), with "-" for absent values and UTC timestamps with milliseconds.
 */
public final class EnvoyTextFormat {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private EnvoyTextFormat() {}

  public static String format(AccessLogEntry e) {
    var sb = new StringBuilder(256);
    sb.append('[').append(TIME.format(Instant.ofEpochMilli(e.startMillis()))).append("] \"")
        .append(dash(e.method())).append(' ').append(dash(e.path())).append(' ').append(dash(e.protocol())).append("\" ")
        .append(e.responseCode()).append(' ').append(dash(e.responseFlags())).append(' ')
        .append(e.bytesReceived()).append(' ').append(e.bytesSent()).append(' ').append(e.durationMillis()).append(' ')
        .append(e.upstreamServiceTimeMillis() == null ? "-" : e.upstreamServiceTimeMillis().toString()).append(" \"")
        .append(dash(e.forwardedFor())).append("\" \"").append(dash(e.userAgent())).append("\" \"")
        .append(dash(e.requestId())).append("\" \"").append(dash(e.authority())).append("\" \"")
        .append(dash(e.upstreamHost())).append("\"\n");
    return sb.toString();
  }

  private static String dash(String s) {
    return s == null || s.isEmpty() ? "-" : s;
  }
}
