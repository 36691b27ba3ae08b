package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceEntryValidationTest {
  private static final String SE = "ServiceEntry";

  @Test
  void bindsAStaticServiceEntry() {
    var doc = Docs.load(Docs.doc(SE, """
        hosts: [db.example.com]
        addresses: [10.1.0.0/16]
        location: MESH_INTERNAL
        resolution: STATIC
        ports: [{number: 5432, name: pg, protocol: TCP, targetPort: 15432}]
        endpoints:
        - {address: 10.1.2.3, ports: {pg: 5433}, labels: {version: v1}, weight: 3, locality: us-east/a}
        - {address: 'unix:///var/run/db.sock'}
        subjectAltNames: [spiffe://cluster.local/ns/db/sa/db]
        """));
    assertThat(doc.errors()).isEmpty();
    var se = (ServiceEntry) doc.resource().spec();
    assertThat(se.effectiveResolution()).isEqualTo(ServiceEntry.Resolution.STATIC);
    assertThat(se.endpoints().getFirst().ports()).containsEntry("pg", 5433L);
    assertThat(se.endpoints().getFirst().weight()).isEqualTo(3L);
    assertThat(se.ports().getFirst().targetPort()).isEqualTo(15432L);
  }

  @Test
  void hosts() {
    assertRejected(SE, "location: MESH_EXTERNAL\n", "spec.hosts: Required value");
    assertRejected(SE, "hosts: ['*']\n", "spec.hosts[0]: Invalid value: \"*\": hostname cannot be wildcard");
    var partial = Docs.load(Docs.doc(SE, "hosts: ['*x', '*.example.com']\n"));
    assertThat(partial.errors()).isEmpty();
    assertThat(partial.warnings()).anyMatch(w -> w.contains("partial wildcard \"*x\" not allowed"));
    assertRejected(SE, "hosts: ['*.example.com']\nresolution: DNS\n", "hosts must be FQDN if no endpoints are provided for resolution mode DNS");
  }

  @Test
  void resolutionRules() {
    assertRejected(SE, "hosts: [a.com]\naddresses: [10.0.0.0/8]\nresolution: DNS\n", "CIDR addresses are allowed only for NONE/STATIC resolution types");
    assertRejected(SE, "hosts: [a.com]\nendpoints: [{address: 1.2.3.4}]\n", "spec: Invalid value: \"object\": NONE mode cannot set endpoints");
    assertRejected(SE, "hosts: [a.com]\nresolution: DNS_ROUND_ROBIN\nendpoints: [{address: a.com}, {address: b.com}]\n",
        "DNS_ROUND_ROBIN mode cannot have multiple endpoints");
    assertRejected(SE, "hosts: [a.com]\nresolution: STATIC\nendpoints: [{address: db.internal}]\n",
        "spec.endpoints[0].address: Invalid value: \"db.internal\": endpoint address \"db.internal\" is not a valid IP address");
    assertRejected(SE, "hosts: [a.com]\nresolution: DNS\nendpoints: [{address: 'bad address'}]\n", "endpoint address \"bad address\" is not a valid FQDN or an IP address");
    assertValid(SE, "hosts: [a.com]\nresolution: DNS\nendpoints: [{address: db.internal}]\n");
    assertRejected(SE, "hosts: [a.com]\nresolution: STATIC\nports: [{number: 80, name: a, protocol: HTTP}, {number: 81, name: b, protocol: HTTP}]\nendpoints: [{address: 'unix:///s.sock'}]\n",
        "exactly 1 service port required for unix endpoints");
    assertRejected(SE, "hosts: [a.com, b.com]\nresolution: DNS\nports: [{number: 5432, name: pg, protocol: TCP}]\n",
        "spec.ports: Invalid value: \"array\": multiple hosts provided with non-HTTP, non-TLS ports");
    assertValid(SE, "hosts: [a.com, b.com]\nresolution: DNS\nports: [{number: 443, name: https, protocol: TLS}]\n");
    assertRejected(SE, "hosts: [a.com]\nworkloadSelector: {labels: {app: a}}\nresolution: STATIC\nendpoints: [{address: 1.2.3.4}]\n",
        "only one of WorkloadSelector or Endpoints can be set");
    assertRejected(SE, "hosts: [a.com]\naddresses: [1.2.3]\n", "spec.addresses[0]: Invalid value: \"1.2.3\": 1.2.3 is not a valid IP");
  }

  @Test
  void ports() {
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 1, name: a}, {number: 2, name: a}]\n", "spec.ports[1]: Duplicate value");
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 1, name: a}, {number: 1, name: b}]\n", "spec.ports[1].number: Invalid value: 1: port number cannot be duplicated");
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 80, name: Bad_Name}]\n", "invalid port name: Bad_Name");
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 0, name: a}]\n", "spec.ports[0].number: Invalid value: 0: port must be between 1-65535");
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 80}]\n", "spec.ports[0].name: Required value");
    assertRejected(SE, "hosts: [a.com]\nports: [{number: 80, name: http, protocol: SPDY}]\n", "spec.ports[0].protocol: Invalid value: \"SPDY\": unsupported protocol: SPDY");
    assertRejected(SE, "hosts: [a.com]\nresolution: STATIC\nports: [{number: 80, name: http}]\nendpoints: [{address: 1.2.3.4, ports: {https: 8443}}]\n",
        "endpoint port https is not defined by the service entry");
  }

  @Test
  void workloadSelectorLabels() {
    assertRejected(SE, "hosts: [a.com]\nworkloadSelector: {labels: {app: '*'}}\n", "wildcard is not supported in selector");
    assertRejected(SE, "hosts: [a.com]\nworkloadSelector: {labels: {'*': a}}\n", "wildcard not allowed in label key match");
    var empty = Docs.load(Docs.doc(SE, "hosts: [a.com]\nresolution: STATIC\nworkloadSelector: {}\n"));
    assertThat(empty.errors()).isEmpty();
    assertThat(empty.warnings()).anyMatch(w -> w.contains("workload selector specified without labels"));
  }
}
