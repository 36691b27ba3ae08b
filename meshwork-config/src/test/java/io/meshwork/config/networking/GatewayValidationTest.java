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
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['Bad NS/foo.com']"),
        "spec.servers[0].hosts[0]: Invalid value: \"Bad NS/foo.com\": invalid namespace value \"Bad NS\" in gateway");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['ns/foo']"), "short names (non FQDN) are not allowed");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['ns/*foo.com']"), "partial wildcard \"*foo.com\" not allowed");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['~/foo.com']"), "invalid namespace value \"~\" in gateway");
    assertValid(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['10.0.0.1']"));
    assertValid(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['./foo.com', '*/bar.com']"));
  }

  @Test
  void portsAndProtocols() {
    assertRejected(GW, server("port: {number: 70000, name: http, protocol: HTTP}\nhosts: ['*']"), "spec.servers[0].port.number: Invalid value: 70000: port number 70000 must be in the range 1..65535");
    assertRejected(GW, server("port: {number: 80, protocol: HTTP}\nhosts: ['*']"), "spec.servers[0].port.name: Required value: port name must be set");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP, targetPort: 8080}\nhosts: ['*']"), "targetPort has no impact on Gateways");
    assertValid(GW, server("port: {number: 0, name: uds, protocol: HTTP}\nbind: unix:///var/run/gw.sock\nhosts: ['*']"));
    assertRejected(GW, server("port: {number: 80, name: uds, protocol: HTTP}\nbind: unix:///var/run/gw.sock\nhosts: ['*']"),
        "port number must be 0 for unix domain socket");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: GOPHER}\nhosts: ['*']"),
        "spec.servers[0].port.protocol: Invalid value: \"GOPHER\": invalid protocol \"GOPHER\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP");
    assertRejected(GW, "servers:\n- port: {number: 80, name: web, protocol: HTTP}\n  hosts: [a.com]\n- port: {number: 8080, name: web, protocol: HTTP}\n  hosts: [b.com]\n",
        "port names in servers must be unique: duplicate name web");
  }

  @Test
  void tlsSettings() {
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']"),
        "server must have TLS settings for HTTPS/TLS protocols");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE}"),
        "spec.servers[0].tls.serverCertificate: Required value: SIMPLE TLS requires a server certificate");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, serverCertificate: /c.pem}"),
        "spec.servers[0].tls.privateKey: Required value: SIMPLE TLS requires a private key");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}"),
        "MUTUAL TLS requires a client CA bundle");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a, credentialNames: [b]}"),
        "only one of credentialName or credentialNames can be set");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: ISTIO_MUTUAL, privateKey: /k.pem}"),
        "ISTIO_MUTUAL TLS cannot have associated private key");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem, caCrl: /crl.pem}"),
        "CRL is not supported with SIMPLE TLS");
    assertRejected(GW, server("port: {number: 3306, name: mysql, protocol: MYSQL}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a}"),
        "server cannot have TLS settings for non HTTPS/TLS ports");
    assertRejected(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a, minProtocolVersion: TLSV1_3, maxProtocolVersion: TLSV1_2}"),
        "minProtocolVersion should be less than or equal to maxProtocolVersion");
    assertRejected(GW, server("port: {number: 80, name: http, protocol: HTTP}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialName: a}"),
        "spec.servers[0].tls: Invalid value: \"object\": server cannot have TLS settings for plain text HTTP ports");

    assertValid(GW, server("port: {number: 443, name: https, protocol: HTTPS}\nhosts: ['*']\ntls: {mode: SIMPLE, credentialNames: [rsa-cert, ecdsa-cert]}"));
  }
}
