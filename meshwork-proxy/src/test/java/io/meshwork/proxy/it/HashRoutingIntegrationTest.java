package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.headers;
import static io.meshwork.proxy.it.ProxyHarness.http;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import java.util.HashMap;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Session affinity: a route hash policy on a RING_HASH or MAGLEV cluster keeps a user on one host. */
class HashRoutingIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  @RegisterExtension static FakeUpstream b = FakeUpstream.named("b");
  @RegisterExtension static FakeUpstream c = FakeUpstream.named("c");

  static String cluster(String name, String lb) {
    return """
        - name: %s
          connect_timeout: 1s
          lb_policy: %s
          load_assignment:
            cluster_name: %s
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${b}}}}
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${c}}}}
        """.formatted(name, lb, name);
  }

  @Test
  void usersStickToOneHostAndSpreadAcrossHosts() throws Exception {
    var yaml = http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/ring"}
            route: {cluster: ring, hash_policy: [{header: {header_name: x-user}}]}
          - match: {prefix: "/maglev"}
            route: {cluster: maglev, hash_policy: [{cookie: {name: session}}]}
        """, cluster("ring", "RING_HASH") + cluster("maglev", "MAGLEV"));
    try (var proxy = ProxyHarness.start(yaml, a, b, c); var client = proxy.client()) {
      for (var path : new String[] {"/ring", "/maglev"}) {
        var servedBy = new HashMap<String, String>();
        for (int user = 0; user < 30; user++) {
          var h = path.equals("/ring") ? headers("x-user", "user-" + user) : headers("Cookie", "a=1; session=s" + user);
          var first = client.send("GET", "x", path, h, null).body();
          for (int i = 0; i < 5; i++) {
            assertThat(client.send("GET", "x", path, h, null).body()).isEqualTo(first);
          }
          servedBy.put("user-" + user, first);
        }
        assertThat(new HashSet<>(servedBy.values())).as(path).containsExactlyInAnyOrder("a", "b", "c");
      }
    }
  }
}
