package io.meshwork.proxy.accesslog;

/**
 * {@code %RESPONSE_CODE_DETAILS%}: why a stream ended, in Envoy's words, from what the access log
 * entry records. A response the proxy made itself is named by its response flag (Envoy's router
 * and connection manager details: {@code route_not_found}, {@code no_healthy_upstream},
 * {@code upstream_reset_before_response_started{connection_failure}}, ...); a response that came from
 * an upstream host is {@code via_upstream}; anything else is unknown ({@code -}). Operators grep
 * these strings, and dashboards built for Envoy group by them.
 */
final class ResponseCodeDetails {
  private ResponseCodeDetails() {}

  /**
   * The details for a response with {@code code}, {@code flags} (Envoy's short flags, comma-separated,
   * or null) and upstream host; {@code responseStarted}: the upstream's response head had arrived (an
   * upstream service time was recorded), so a reset came after it.
   */
  static String of(int code, String flags, String upstreamHost, boolean responseStarted) {
    if (flags != null && !flags.equals("-")) {
      // The flag that made the local reply; order: the request never got to an upstream, then why the upstream attempt failed.
      for (var pair : LOCAL) {
        if (hasFlag(flags, pair[0])) {
          // A reset by the upstream (not a failed connect or an overflow) can also end a response already under way.
          boolean late = responseStarted && (pair[0].equals("UR") || pair[0].equals("UC") || pair[0].equals("UPE"));
          return late ? "upstream_reset_after_response_started" + pair[1].substring(BEFORE.length()) : pair[1];
        }
      }
    }
    return code > 0 && upstreamHost != null ? "via_upstream" : null;
  }

  private static final String BEFORE = "upstream_reset_before_response_started";

  private static final String[][] LOCAL = {
      {"NR", "route_not_found"},
      {"NC", "cluster_not_found"},
      {"FI", "fault_filter_abort"},
      {"UH", "no_healthy_upstream"},
      {"UO", "upstream_reset_before_response_started{overflow}"},
      {"UT", "upstream_response_timeout"},
      {"UF", "upstream_reset_before_response_started{connection_failure}"},
      {"UR", "upstream_reset_before_response_started{remote_reset}"},
      {"UPE", "upstream_reset_before_response_started{protocol_error}"},
      {"UC", "upstream_reset_before_response_started{connection_termination}"},
      {"DC", "downstream_remote_disconnect"},
  };

  private static boolean hasFlag(String flags, String flag) {
    int from = 0;
    while (true) {
      int i = flags.indexOf(flag, from);
      if (i < 0) {
        return false;
      }
      int end = i + flag.length();
      if ((i == 0 || flags.charAt(i - 1) == ',') && (end == flags.length() || flags.charAt(end) == ',')) {
        return true;
      }
      from = i + 1;
    }
  }
}
