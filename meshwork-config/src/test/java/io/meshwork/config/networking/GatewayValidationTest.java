package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;

import org.junit.jupiter.api.Test;

class GatewayValidationTest {
  private static final String GW = "Gateway";

  static String server(String server) {
    return "selector: {istio: ingressgateway}\nservers:\n- " + server.stripIndent().strip().replace("\n", "\n  ") + "\n";
  }

  @Test
  void plainAndTlsServers() {
    assertValid(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['*']\ntls: {httpsRedirect: true}"));
    assertValid(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: [ns/bookinfo.example.com]\ntls: {mode: SIMPLE, credentialName: bookinfo-cert, minProtocolVersion: TLSV1_2}"));
    assertValid(GW, server("port: {number: 15443, name: tls, protocol: TLS}\nhosts: ['*.local']\ntls: {mode: AUTO_PASSTHROUGH}"));
  }

  @Test
  void serversAndHostsAreRequired() {
    assertRejected(GW, "selector: {istio: ingressgateway}\n", "spec.servers: Required value: gateway must have at least one server");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}"), "spec.servers[0].hosts: Required value");
    assertRejected(GW, server("hosts: ['*']"), "spec.servers[0].port: Required value");
  }

  @Test
  void hostsMayBeNamespaceScoped() {
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['Bad NS/foo.com']"), "spec.servers[0].hosts[0]");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['ns/foo/bar']"), "must be of the form namespace/dnsName");
    assertValid(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['./foo.com', '*/bar.com']"));
  }

  @Test
  void portsAndProtocols() {
    assertRejected(GW, server("port: {number: 70000, name: http, protocol: HTTP}\nhosts: ['*']"), "port must be between 1-65535");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: GOPHER}\nhosts: ['*']"),
        "spec.servers[0].port.protocol: Invalid value: \"GOPHER\": unrecognized protocol");
    assertRejected(GW, "servers:\n- port: {number: 80, name: web, protocol: HTTP}\n  hosts: [a.com]\n- port: {number: 8080, name: web, protocol: HTTP}\n  hosts: [b.com]\n",
        "port names in servers must be unique: duplicate name web");
  }

  @Test
  void tlsSettings() {
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']"),
        "server must have TLS settings for HTTPS/TLS protocols");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE}"),
        "SIMPLE TLS requires a credentialName or serverCertificate and privateKey");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, serverCertificate: /c.pem}"),
        "spec.servers[0].tls.privateKey: Required value: SIMPLE TLS requires a private key");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}"),
        "MUTUAL TLS requires a client CA bundle");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a, serverCertificate: /c.pem, privateKey: /k.pem}"),
        "only one of credentialName, credentialNames, tlsCertificates or serverCertificate/privateKey can be set");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a, minProtocolVersion: TLSV1_3, maxProtocolVersion: TLSV1_2}"),
        "minProtocolVersion should be less than or equal to maxProtocolVersion");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a}"),
        "TLS settings are only allowed for HTTPS and TLS ports");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: AUTO_PASSTHROUGH}"),
        "AUTO_PASSTHROUGH mode requires the TLS protocol");
    assertValid(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialNames: [rsa-cert, ecdsa-cert]}"));
  }
}
