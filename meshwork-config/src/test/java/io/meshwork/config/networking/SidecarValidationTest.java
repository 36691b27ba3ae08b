package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;

import org.junit.jupiter.api.Test;

class SidecarValidationTest {
  private static final String SC = "Sidecar";

  @Test
  void aTypicalSidecar() {
    assertValid(SC, """
        workloadSelector: {matchLabels: {app: ratings}}
        ingress:
        - port: {number: 9080, protocol: HTTP, name: somename}
          defaultEndpoint: 127.0.0.1:8080
          connectionPool: {http: {http1MaxPendingRequests: 10}}
        - port: {number: 9443, protocol: HTTPS, name: tls}
          defaultEndpoint: unix:///var/run/app.sock
          tls: {mode: SIMPLE, credentialName: cert}
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

  @Test
  void emptyConfigurationIsRejected() {
    assertRejected(SC, "workloadSelector: {matchLabels: {app: a}}\n", "sidecar: empty configuration provided");
  }

  @Test
  void egressListeners() {
    assertRejected(SC, "egress:\n- port: {number: 80}\n", "spec.egress[0].hosts: Required value");
    assertRejected(SC, "egress:\n- hosts: [foo.com]\n", "spec.egress[0].hosts[0]: Invalid value: \"foo.com\": sidecar: host \"foo.com\" must be of the form namespace/dnsName");
    assertRejected(SC, "egress:\n- hosts: ['./*']\n- port: {number: 80}\n  hosts: ['./*']\n",
        "the egress listener with empty port should be the last listener in the list");
    assertRejected(SC, "egress:\n- port: {number: 80}\n  hosts: ['./*']\n- port: {number: 80}\n  hosts: ['./*']\n",
        "egress listeners must have unique ports");
    assertRejected(SC, "egress:\n- bind: not-an-ip\n  hosts: ['./*']\n", "bind must be an IP address or a unix:// socket path");
    assertRejected(SC, "egress:\n- captureMode: NONE\n  hosts: ['./*']\n", "captureMode NONE must have a port or bind address");
  }

  @Test
  void ingressListeners() {
    assertRejected(SC, "ingress:\n- defaultEndpoint: 127.0.0.1:80\n", "spec.ingress[0].port: Required value");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  defaultEndpoint: 10.0.0.1:80\n", "defaultEndpoint must be of the form");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  defaultEndpoint: 127.0.0.1:0\n", "defaultEndpoint must be of the form");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n- port: {number: 80}\n", "ports on IP bound listeners must be unique");
    assertRejected(SC, "ingress:\n- port: {number: 80}\n  captureMode: SOMETIMES\n", "spec.ingress[0].captureMode: Unsupported value: \"SOMETIMES\"");
  }

  @Test
  void outboundTrafficPolicy() {
    assertRejected(SC, "outboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: e.com, port: {number: 443}}}\n",
        "egressProxy must be set only with ALLOW_ANY outbound traffic policy mode");
    assertRejected(SC, "outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: e.com}}\n", "egressProxy port must be non-zero");
  }
}
