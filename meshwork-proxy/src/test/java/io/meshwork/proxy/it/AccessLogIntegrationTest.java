package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access logs as Istio's Telemetry API configures them: a JSON file log with a CEL filter, and a
 * custom text format on stdout with a status code filter, through a running proxy.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(60)
class AccessLogIntegrationTest {
  @RegisterExtension static FakeUpstream app = FakeUpstream.named("app");
  @TempDir Path dir;

  @Test
  void jsonFileLogWithCelFilterAndTextStdoutLogWithStatusFilter() throws Exception {
    var file = dir.resolve("access.json");
    var yaml = """
        node: {id: test, cluster: test}
        static_resources:
          listeners:
          - name: http
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: ingress
                  access_log:
                  - name: envoy.access_loggers.file
                    filter:
                      extension_filter:
                        name: envoy.access_loggers.extension_filters.cel
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter
                          expression: "response.code >= 400 || request.headers['x-user'] == 'jason'"
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
                      path: %s
                      log_format:
                        json_format:
                          method: "%%REQ(:METHOD)%%"
                          path: "%%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%%"
                          response_code: "%%RESPONSE_CODE%%"
                          upstream_cluster: "%%UPSTREAM_CLUSTER%%"
                          request_id: "%%REQ(X-REQUEST-ID)%%"
                          user: "%%REQ(X-USER)%%"
                  - name: envoy.access_loggers.stdout
                    filter:
                      status_code_filter: {comparison: {op: GE, value: {default_value: 500, runtime_key: unused}}}
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
                      log_format:
                        text_format_source:
                          inline_string: "[%%RESPONSE_CODE%%] %%REQ(:METHOD)%% %%REQ(:PATH)%% via %%UPSTREAM_CLUSTER%%\\n"
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: backend}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: backend
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: backend
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %d}}}}]}]
        """.formatted(file, app.port());
    app.respondWith(r -> r.uri().startsWith("/fail") ? Reply.status(503) : r.uri().startsWith("/missing") ? Reply.status(404)
        : Reply.ok("ok"));
    try (var proxy = ProxyHarness.start(yaml); var c = new RawClient(proxy.port("http"))) {
      assertThat(c.get("svc", "/ok").status()).isEqualTo(200); // filtered out of both logs
      assertThat(c.send("GET", "svc", "/vip", Map.of("x-user", "jason"), "").status()).isEqualTo(200); // JSON only
      assertThat(c.get("svc", "/missing").status()).isEqualTo(404); // JSON only
      assertThat(c.get("svc", "/fail").status()).isEqualTo(503); // both
      await(() -> lines(file) >= 3 && !proxy.logLines().isEmpty());
      Thread.sleep(300); // a line that should not be there would be written by now
      var json = Files.readAllLines(file);
      assertThat(json).hasSize(3);
      var mapper = new ObjectMapper();
      var vip = mapper.readTree(json.get(0));
      assertThat(vip.get("path").asText()).isEqualTo("/vip");
      assertThat(vip.get("user").asText()).isEqualTo("jason");
      assertThat(vip.get("response_code").asInt()).isEqualTo(200);
      assertThat(vip.get("upstream_cluster").asText()).isEqualTo("backend");
      assertThat(vip.get("request_id").asText()).matches("[0-9a-f-]{36}");
      assertThat(mapper.readTree(json.get(1)).get("response_code").asInt()).isEqualTo(404);
      assertThat(mapper.readTree(json.get(1)).get("user").isNull()).isTrue();
      assertThat(mapper.readTree(json.get(2)).get("path").asText()).isEqualTo("/fail");
      assertThat(proxy.logLines()).containsExactly("[503] GET /fail via backend");
    }
  }

  private static long lines(Path p) {
    try {
      return Files.exists(p) ? Files.readAllLines(p).size() : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
