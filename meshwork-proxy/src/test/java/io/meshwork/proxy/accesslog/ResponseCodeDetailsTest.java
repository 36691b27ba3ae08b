package io.meshwork.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseCodeDetailsTest {
  @Test
  void localRepliesAreNamedByTheirFlagAsEnvoyNamesThem() {
    assertThat(ResponseCodeDetails.of(404, "NR", null, false)).isEqualTo("route_not_found");
    assertThat(ResponseCodeDetails.of(503, "UH", null, false)).isEqualTo("no_healthy_upstream");
    assertThat(ResponseCodeDetails.of(504, "UT", "10.0.0.1:80", false)).isEqualTo("upstream_response_timeout");
    assertThat(ResponseCodeDetails.of(503, "UF,URX", "10.0.0.1:80", false))
        .isEqualTo("upstream_reset_before_response_started{connection_failure}");
    assertThat(ResponseCodeDetails.of(503, "UR", "10.0.0.1:80", false))
        .isEqualTo("upstream_reset_before_response_started{remote_reset}");
    assertThat(ResponseCodeDetails.of(503, "UPE", "10.0.0.1:80", false))
        .isEqualTo("upstream_reset_before_response_started{protocol_error}");
    assertThat(ResponseCodeDetails.of(503, "UO", null, false)).isEqualTo("upstream_reset_before_response_started{overflow}");
    assertThat(ResponseCodeDetails.of(503, "FI", null, false)).isEqualTo("fault_filter_abort");
  }

  @Test
  void upstreamResponsesAreViaUpstreamAndLateResetsSaySo() {
    assertThat(ResponseCodeDetails.of(200, "-", "10.0.0.1:80", true)).isEqualTo("via_upstream");
    assertThat(ResponseCodeDetails.of(503, null, "10.0.0.1:80", true)).isEqualTo("via_upstream");
    assertThat(ResponseCodeDetails.of(200, "UC", "10.0.0.1:80", true))
        .isEqualTo("upstream_reset_after_response_started{connection_termination}");
    assertThat(ResponseCodeDetails.of(503, "UF", "10.0.0.1:80", true)).as("a failed connect is never late")
        .isEqualTo("upstream_reset_before_response_started{connection_failure}");
    assertThat(ResponseCodeDetails.of(0, "-", null, false)).isNull();
    // flags are matched whole: URX alone is not UR
    assertThat(ResponseCodeDetails.of(200, "URX", "10.0.0.1:80", true)).isEqualTo("via_upstream");
  }

  @Test
  void theFormatAndTheFilterReadTheSameDetails() throws Exception {
    var local = AccessLogFormatAndFilterTest.entry(503, null, false); // flags UF, an upstream host
    assertThat(LogFormatter.text(io.meshwork.proxy.config.LogTemplate.parse("%RESPONSE_CODE_DETAILS%", "f"), local))
        .isEqualTo("upstream_reset_before_response_started{connection_failure}\n");
    assertThat(AccessLogFormatAndFilterTest.matches(
        "response.code_details == 'upstream_reset_before_response_started{connection_failure}'", local)).isTrue();
    assertThat(AccessLogFormatAndFilterTest.matches("response.code_details == 'via_upstream'",
        AccessLogFormatAndFilterTest.entry(200, null, false))).isTrue();
  }
}
