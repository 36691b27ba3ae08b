package io.meshwork.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.proxy.config.AccessLogConfig;
import io.meshwork.proxy.config.CelExpression;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.LogTemplate;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AccessLogFormatAndFilterTest {
  static AccessLogEntry entry(int code, String user, boolean mtls) {
    Map<String, String> req = user == null ? Map.of("x-forwarded-proto", "http") : Map.of("x-user", user, "x-forwarded-proto", "http");
    var details = new AccessLogDetails(req::get, Map.of("content-type", "text/plain")::get, "outbound|9080||reviews",
        "default", new InetSocketAddress("10.1.2.3", 40000), new InetSocketAddress("127.0.0.1", 9080), mtls, "");
    return new AccessLogEntry(1_700_000_000_123L, "GET", "/reviews/1?x=1", "HTTP/1.1", code, code >= 500 ? "UF" : "-", 5,
        42, 7, 3L, null, "curl/8", "req-1", "reviews:9080", "10.0.0.9:9080", details);
  }

  static boolean matches(String expr, AccessLogEntry e) throws ConfigException {
    return LogFilters.accepts(new AccessLogConfig.CelFilter(CelExpression.parse(expr, "f")), e);
  }

  @Test
  void celFiltersOfTheCommonCases() throws Exception {
    assertThat(matches("response.code >= 400", entry(404, null, false))).isTrue();
    assertThat(matches("response.code >= 400", entry(200, null, false))).isFalse();
    assertThat(matches("response.code == 503 || response.code == 504", entry(504, null, false))).isTrue();
    assertThat(matches("response.code != 200", entry(200, null, false))).isFalse();
    assertThat(matches("response.code < 300 && response.code >= 200", entry(204, null, false))).isTrue();
    assertThat(matches("connection.mtls", entry(200, null, true))).isTrue();
    assertThat(matches("!connection.mtls", entry(200, null, true))).isFalse();
    assertThat(matches("request.headers['x-user'] == 'jason'", entry(200, "jason", false))).isTrue();
    assertThat(matches("request.headers[\"X-User\"] == \"jason\"", entry(200, "mike", false))).isFalse();
    // A missing header is a CEL error: not logged, unless || finds another true side.
    assertThat(matches("request.headers['x-user'] == 'jason'", entry(200, null, false))).isFalse();
    assertThat(matches("request.headers['x-user'] == 'jason' || response.code >= 500", entry(503, null, false))).isTrue();
    assertThat(matches("(response.code >= 400 && request.headers['x-user'] == 'jason') || connection.mtls",
        entry(500, "jason", false))).isTrue();
    assertThat(matches("request.path.startsWith('/reviews') && request.method == 'GET'", entry(200, null, false))).isTrue();
    assertThat(matches("request.url_path == '/reviews/1'", entry(200, null, false))).isTrue();
    assertThat(matches("xds.cluster_name.contains('reviews')", entry(200, null, false))).isTrue();
    // Mixed types compare as an error, as in CEL.
    assertThat(matches("response.code == '200'", entry(200, null, false))).isFalse();
  }

  @Test
  void celSyntaxErrorsNameTheProblem() {
    assertThatThrownBy(() -> CelExpression.parse("response.cod >= 400", "telemetry.filter"))
        .hasMessageContaining("telemetry.filter").hasMessageContaining("unknown attribute \"response.cod\"");
    assertThatThrownBy(() -> CelExpression.parse("response.code >= ", "f")).hasMessageContaining("unexpected end");
    assertThatThrownBy(() -> CelExpression.parse("size(request.path) > 2", "f")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> CelExpression.parse("request.headers['a' == 'b'", "f")).hasMessageContaining("expected ']'");
  }

  @Test
  void statusCodeAndCombinedFilters() {
    var ge500 = new AccessLogConfig.StatusCodeFilter("GE", 500);
    assertThat(LogFilters.accepts(ge500, entry(503, null, false))).isTrue();
    assertThat(LogFilters.accepts(ge500, entry(404, null, false))).isFalse();
    var or = new AccessLogConfig.Combined(false, java.util.List.of(ge500, new AccessLogConfig.StatusCodeFilter("EQ", 404)));
    assertThat(LogFilters.accepts(or, entry(404, null, false))).isTrue();
    var and = new AccessLogConfig.Combined(true, java.util.List.of(ge500, new AccessLogConfig.StatusCodeFilter("LE", 502)));
    assertThat(LogFilters.accepts(and, entry(503, null, false))).isFalse();
    assertThat(LogFilters.accepts(and, entry(502, null, false))).isTrue();
  }

  @Test
  void customTextFormatUsesEnvoyOperators() throws Exception {
    var t = LogTemplate.parse("%START_TIME% %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH):8% %RESPONSE_CODE% "
        + "%RESPONSE_FLAGS% %UPSTREAM_CLUSTER% %DOWNSTREAM_REMOTE_ADDRESS% %REQ(X-MISSING)% 100%%", "f");
    assertThat(LogFormatter.text(t, entry(200, null, false)))
        .isEqualTo("2023-11-14T22:13:20.123Z GET /reviews 200 - outbound|9080||reviews 10.1.2.3:40000 - 100%\n");
    assertThatThrownBy(() -> LogTemplate.parse("%RESPONSE_CODEZ%", "log_format.text_format"))
        .hasMessageContaining("log_format.text_format").hasMessageContaining("%RESPONSE_CODEZ% is not supported");
    assertThatThrownBy(() -> LogTemplate.parse("%REQ(:PATH)", "f")).hasMessageContaining("unterminated");
  }

  @Test
  void jsonFormatTypesNumbersAndNullsLikeEnvoy() throws Exception {
    var fields = new TreeMap<String, LogTemplate>();
    fields.put("response_code", LogTemplate.parse("%RESPONSE_CODE%", "f"));
    fields.put("duration", LogTemplate.parse("%DURATION%", "f"));
    fields.put("path", LogTemplate.parse("%REQ(:PATH)%", "f"));
    fields.put("user", LogTemplate.parse("%REQ(X-USER)%", "f"));
    fields.put("upstream", LogTemplate.parse("host=%UPSTREAM_HOST% flags=%RESPONSE_FLAGS%", "f"));
    fields.put("upstream_service_time", LogTemplate.parse("%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%", "f"));
    var line = LogFormatter.format(new AccessLogConfig(null, null, fields, null), entry(503, null, false));
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    var json = new ObjectMapper().readTree(line);
    assertThat(json.get("response_code").isNumber()).isTrue();
    assertThat(json.get("response_code").asInt()).isEqualTo(503);
    assertThat(json.get("duration").asLong()).isEqualTo(7);
    assertThat(json.get("path").asText()).isEqualTo("/reviews/1?x=1");
    assertThat(json.get("user").isNull()).isTrue();
    assertThat(json.get("upstream").asText()).isEqualTo("host=10.0.0.9:9080 flags=UF");
    assertThat(json.get("upstream_service_time").asText()).isEqualTo("3");
    assertThat(line.indexOf("\"duration\"")).isLessThan(line.indexOf("\"path\"")); // keys sorted
  }
}
