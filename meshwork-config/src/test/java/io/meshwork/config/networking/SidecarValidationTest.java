package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SidecarValidationTest {
  private static final String SC = "Sidecar";

  @Test
  void aTypicalSidecar() {
    assertValid(SC, """
        workloadSelector: {labels: {app: ratings}}
        ingress:
        - port: {number: 9080, protocol: HTTP, name: somename}
          defaultEndpoint: 127.0.0.1:8080
          connectionPool: {http: {http1MaxPendingRequests: 10}}
        - port: {number: 9443, protocol: HTTPS, name: tls}
          defaultEndpoint: unix:///var/run/app.sock
          tls: {mode: SIMPLE, serverCertificate: /etc/certs/cert.pem, privateKey: /etc/certs/key.pem}
        egress:
        - port: {number: 3306, protocol: MYSQL, name: egressmysql}
          bind: 127.0.0.1
          captureMode: NONE
          hosts: ['*/mysql.foo.com']
        - hosts: ['./*', 'istio-system/*', '~/*']
        outboundTrafficPolicy:
          mode: ALLOW_ANY
          egressProxy: {host: egress.example.com, port: {number: 443}}
        inboundConnectionPool: {tcp: {maxConnections: 100}}
        """);
  }

  /** Istio's Sidecar selects with {@code workloadSelector.labels}; {@code matchLabels} is another kind's field. */
  @Test
  void theWorkloadSelectorIsLabelsNotMatchLabels() {
    assertRejected(SC, "workloadSelector: {matchLabels: {app: a}}\negress:\n- hosts: ['./*']\n", "matchLabels");
    assertRejected(SC, "workloadSelector: {labels: {'*': a}}\negress:\n- hosts: ['./*']\n", "wildcard not allowed in label key match");
  }

  @Test
  void emptyConfigurationIsRejected() {
    assertRejected(SC, "workloadSelector: {labels: {app: a}}\n", "sidecar: empty configuration provided");
  }

  @Test
  void egressListeners() {
    assertRejected(SC, "egress:\n- port: {number: 80}\n", "spec.egress[0].hosts: Required value");
    assertRejected(SC, "egress:\n- hosts: [foo.com]\n", "spec.egress[0].hosts[0]: Invalid value: \"foo.com\": sidecar: host must be of form namespace/dnsName");
    assertRejected(SC, "egress:\n- hosts: ['./*']\n- port: {number: 80}\n  hosts: ['./*']\n",
        "the egress listener with empty port should be the last listener in the list");
    assertRejected(SC, "egress:\n- port: {number: 80}\n  hosts: ['./*']\n- port: {number: 80}\n  hosts: ['./*']\n",
        "spec.egress[1].port.number: Invalid value: 80: sidecar: ports on IP bound listeners must be unique");
    assertRejected(SC, "egress:\n- port: {number: 0}\n  hosts: ['./*']\n", "sidecar: ports with 0 value must have a unix domain socket bind address");
    assertValid(SC, "egress:\n- port: {number: 0, protocol: HTTP}\n  bind: unix:///var/run/out.sock\n  hosts: ['./*']\n");
    assertRejected(SC, "egress:\n- hosts: ['./*']\n- hosts: ['./*']\n", "spec.egress[0]: Invalid value: \"object\": sidecar: the egress listener with empty port should be the last listener");
    assertRejected(SC, "egress:\n- hosts: ['ns/short']\n", "short names (non FQDN) are not allowed");
    var dup = Docs.load(Docs.doc(SC, "egress:\n- hosts: ['ns/*', 'ns/a.com']\n"));
    assertThat(dup.errors()).isEmpty();
    assertThat(dup.warnings()).anyMatch(w -> w.contains("duplicated egress host: ns/a.com"));
    assertRejected(SC, "egress:\n- port: {number: 80}\n  bind: not-an-ip\n  hosts: ['./*']\n", "spec.egress[0].bind: Invalid value: \"not-an-ip\": not-an-ip is not a valid IP");
  }

  @Test
  void ingressListeners() {
    assertRejected(SC, "ingress:\n- defaultEndpoint: 127.0.0.1:80\n", "spec.ingress[0].port: Required value");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  defaultEndpoint: 10.0.0.1:80\n", "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  defaultEndpoint: 127.0.0.1:0\n", "port number 0 must be in the range 1..65535");
    assertValid(SC, "ingress:\n- port: {number: 80}\n  defaultEndpoint: ':8080'\n");
    assertRejected(SC, "ingress:\n- port: {number: 80, targetPort: 8080}\n", "targetPort has no impact on Sidecars");
    assertRejected(SC, "ingress:\n- port: {number: 443}\n  tls: {mode: SIMPLE, credentialName: c}\n", "sidecar: credentialName is not currently supported");
    assertRejected(SC, "ingress:\n- port: {number: 443}\n  tls: {mode: ISTIO_MUTUAL}\n", "cannot set mode to ISTIO_MUTUAL in sidecar ingress tls");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n- port: {number: 80}\n", "spec.ingress[1].port.number: Invalid value: 80: sidecar: ports on IP bound listeners must be unique");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  captureMode: SOMETIMES\n", "spec.ingress[0].captureMode: Unsupported value: \"SOMETIMES\"");
  }

  @Test
  void outboundTrafficPolicy() {
    assertRejected(SC, "outboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: e.com, port: {number: 443}}}\n",
        "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
    assertRejected(SC, "outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: e.com}}\n", "spec.outboundTrafficPolicy.egressProxy.port: Required value: sidecar: egress_proxy port must be non-nil");
  }
}
