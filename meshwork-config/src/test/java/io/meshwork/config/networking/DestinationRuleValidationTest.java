package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.types.Duration;
import org.junit.jupiter.api.Test;

class DestinationRuleValidationTest {
  private static final String DR = "DestinationRule";

  static String policy(String trafficPolicy) {
    return "host: r\ntrafficPolicy:\n  " + trafficPolicy.stripIndent().strip().replace("\n", "\n  ") + "\n";
  }

  @Test
  void bindsEveryPartOfAFullRule() {
    var doc = Docs.load(Docs.doc(DR, """
        host: r.ns.svc.cluster.local
        trafficPolicy:
          loadBalancer:
            consistentHash:
              httpCookie: {name: user, ttl: 0s, attributes: [{name: SameSite, value: Strict}]}
              maglev: {tableSize: 65537}
            localityLbSetting:
              failover: [{from: us-east, to: eu-west}]
              failoverPriority: [topology.istio.io/network]
          connectionPool:
            tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {time: 7200s, interval: 75s, probes: 9}}
            http: {http2MaxRequests: 1000, maxRequestsPerConnection: 10, h2UpgradePolicy: UPGRADE, idleTimeout: 1h}
          outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
          tls: {mode: ISTIO_MUTUAL, sni: r.example.com}
          portLevelSettings:
          - port: {number: 80}
            loadBalancer: {simple: LEAST_REQUEST}
          tunnel: {protocol: CONNECT, targetHost: 10.0.0.1, targetPort: 8443}
          retryBudget: {percent: 20, minRetryConcurrency: 3}
        subsets:
        - name: v1
          labels: {version: v1}
          trafficPolicy:
            loadBalancer: {simple: ROUND_ROBIN, warmup: {duration: 60s, minimumPercent: 10, aggression: 1.5}}
            proxyProtocol: {version: V2}
        exportTo: [.]
        workloadSelector: {matchLabels: {app: r}}
        """));
    assertThat(doc.errors()).isEmpty();
    var dr = (DestinationRule) doc.resource().spec();
    var tp = dr.trafficPolicy();
    assertThat(tp.loadBalancer().consistentHash().httpCookie().ttl()).isEqualTo(Duration.parse("0s"));
    assertThat(tp.loadBalancer().consistentHash().maglev().tableSize()).isEqualTo(65537L);
    assertThat(tp.connectionPool().http().h2UpgradePolicy()).isEqualTo(ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy.UPGRADE);
    assertThat(tp.outlierDetection().consecutive5xxErrors()).isEqualTo(7);
    assertThat(tp.tls().mode()).isEqualTo(ClientTLSSettings.TLSmode.ISTIO_MUTUAL);
    assertThat(tp.portLevelSettings().getFirst().port().number()).isEqualTo(80);
    assertThat(dr.subsets().getFirst().trafficPolicy().proxyProtocol().version()).isEqualTo(TrafficPolicy.ProxyProtocol.Version.V2);
    assertThat(tp.tunnel().targetPort()).isEqualTo(8443L);
    assertThat(dr.subsets().getFirst().trafficPolicy().loadBalancer().warmup().aggression()).isEqualTo(1.5);
    assertThat(dr.workloadSelector().matchLabels()).containsEntry("app", "r");
  }

  @Test
  void hostIsRequiredAndValid() {
    assertRejected(DR, "subsets: [{name: v1}]\n", "spec.host: Required value");
    assertRejected(DR, "host: 'a b'\n", "spec.host: Invalid value: \"a b\": domain name \"a b\" invalid (label \"a b\" invalid)");
    assertRejected(DR, "host: a.123\n", "top level domain \"123\" cannot be all-numeric");
    assertValid(DR, "host: '*.example.com'\n");
  }

  @Test
  void warmup() {
    assertRejected(DR, policy("loadBalancer:\n  warmup: {minimumPercent: 5}"),
        "spec.trafficPolicy.loadBalancer.warmup.duration: Required value");
    assertRejected(DR, policy("loadBalancer:\n  warmup: {duration: 10s, minimumPercent: 101}"),
        "spec.trafficPolicy.loadBalancer.warmup.minimumPercent: Invalid value: 101");
    assertRejected(DR, policy("loadBalancer:\n  warmup: {duration: 10s, aggression: -1}"),
        "spec.trafficPolicy.loadBalancer.warmup.aggression: Invalid value: -1");
    assertRejected(DR, policy("loadBalancer:\n  warmupDurationSecs: 10s\n  warmup: {duration: 10s}"),
        "only one of warmupDurationSecs or warmup can be set");
  }

  @Test
  void loadBalancerOneOfs() {
    assertRejected(DR, policy("loadBalancer:\n  simple: RANDOM\n  consistentHash: {useSourceIp: true}"),
        "spec.trafficPolicy.loadBalancer: Invalid value: \"object\": only one of simple or consistentHash can be set");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {useSourceIp: true, httpHeaderName: x-user}"),
        "only one of httpHeaderName, httpCookie, useSourceIp, or httpQueryParameterName can be set");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {useSourceIp: true, ringHash: {minimumRingSize: 1024}, maglev: {tableSize: 65537}}"),
        "only one of ringHash or maglev can be set");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {useSourceIp: true, maglev: {tableSize: 1000}}"),
        "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: Invalid value: 1000: tableSize must be a prime number for maglev");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {useSourceIp: true, maglev: {}}"), "tableSize must be set for maglev");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {useSourceIp: true, minimumRingSize: 1024, ringHash: {minimumRingSize: 1024}}"),
        "only one of MinimumRingSize or Maglev/Ringhash can be specified");
    assertRejected(DR, policy("loadBalancer:\n  consistentHash: {httpCookie: {ttl: 10s}}"),
        "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name: Required value");
    assertRejected(DR, policy("loadBalancer: {simple: FASTEST}"),
        "spec.trafficPolicy.loadBalancer.simple: Unsupported value: \"FASTEST\"");
  }

  @Test
  void localityLoadBalancing() {
    assertValid(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: us-west/zone1/*\n      to: {'us-west/zone1/*': 80, 'us-west/zone2/*': 20}"));
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: us-west/zone1/*\n      to: {'us-west/zone1/*': 80}"),
        "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to: Invalid value: 80: total locality weight 80 != 100");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: a\n      to: {b: 0, c: 100}"),
        "locality weight must be in range [1, 100]");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - {from: 'us-west/*', to: {a: 100}}\n    - {from: us-west/zone1, to: {a: 100}}"),
        "locality us-west/zone1 overlap with previous specified ones");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    failover: [{from: us-east, to: us-west}]\n    failoverPriority: [topology.kubernetes.io/zone]\noutlierDetection: {consecutive5xxErrors: 3}"),
        "can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/zone' in 'failover_priority'");
    var warned = Docs.load(Docs.doc(DR, policy("loadBalancer:\n  localityLbSetting:\n    failover: [{from: us-east, to: us-west}]")));
    assertThat(warned.errors()).isEmpty();
    assertThat(warned.warnings()).anyMatch(w -> w.contains("outlier detection policy must be provided for failover"));
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - {from: a, to: {a: 100}}\n    failover:\n    - {from: a, to: b}"),
        "can not simultaneously specify 'distribute' and 'failover'");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    failover:\n    - {from: us-east, to: us-east}"),
        "locality lb failover settings must specify different regions");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    failover:\n    - {from: us-east/zone1, to: us-west}"),
        "locality lb failover only specify region");
    assertRejected(DR, policy("loadBalancer:\n  localityLbSetting:\n    distribute:\n    - from: 'us-*/zone1'\n      to: {a: 100}"),
        "locality us-*/zone1 wildcard '*' number can not exceed 1 and must be in the end");
  }

  @Test
  void connectionPoolAndOutlierDetection() {
    assertRejected(DR, policy("connectionPool: {}"), "connection pool must have at least one field");
    assertRejected(DR, policy("connectionPool:\n  tcp: {maxConnections: -1}"),
        "spec.trafficPolicy.connectionPool.tcp.maxConnections: Invalid value: -1");
    assertRejected(DR, policy("connectionPool:\n  tcp: {connectTimeout: 0.5ms}"),
        "spec.trafficPolicy.connectionPool.tcp.connectTimeout: Invalid value: \"0.5ms\": must be a valid duration greater than 1ms");
    assertValid(DR, policy("connectionPool:\n  http:\n    http2KeepAlive: {interval: 15s, timeout: 5s}"));
    assertRejected(DR, policy("outlierDetection: {maxEjectionPercent: 120}"),
        "spec.trafficPolicy.outlierDetection.maxEjectionPercent: Invalid value: 120: percentage 120 is not in range 0..100");
    assertRejected(DR, policy("outlierDetection: {minHealthPercent: -5}"), "percentage -5 is not in range 0..100");
    assertRejected(DR, policy("connectionPool:\n  http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}"),
        "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
    assertRejected(DR, policy("connectionPool:\n  tcp: {idleTimeout: 10us}"), "spec.trafficPolicy.connectionPool.tcp.idleTimeout: Invalid value: \"10us\": duration must be greater than 1ms");
    assertRejected(DR, policy("outlierDetection: {interval: 0s}"), "spec.trafficPolicy.outlierDetection.interval");
    assertRejected(DR, policy("outlierDetection: {consecutiveLocalOriginFailures: 3}"),
        "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false");
  }

  @Test
  void clientTls() {
    var istio = Docs.load(Docs.doc(DR, policy("tls: {mode: ISTIO_MUTUAL, clientCertificate: /etc/c.pem}")));
    assertThat(istio.errors()).isEmpty();
    assertThat(istio.warnings()).anyMatch(w -> w.contains("ISTIO_MUTUAL uses Istio's own certificates"));
    assertRejected(DR, policy("tls: {mode: SIMPLE, insecureSkipVerify: true, caCertificates: /etc/ca.pem}"),
        "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true");
    assertRejected(DR, policy("tls: {mode: MUTUAL, privateKey: /etc/k.pem}"),
        "spec.trafficPolicy.tls.clientCertificate: Required value: client certificate required for mutual tls");
    assertRejected(DR, policy("tls: {mode: MUTUAL, clientCertificate: /etc/c.pem}"), "private key required for mutual tls");
    assertValid(DR, policy("tls: {mode: MUTUAL, credentialName: client-creds}"));
    assertRejected(DR, policy("tls: {mode: SIMPLE, credentialName: c, caCertificates: /etc/ca.pem}"),
        "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
  }

  @Test
  void trafficPolicyShape() {
    assertRejected(DR, "host: r\ntrafficPolicy: {}\n", "spec.trafficPolicy: Invalid value: \"object\": traffic policy must have at least one field");
    assertRejected(DR, policy("portLevelSettings:\n- loadBalancer: {simple: RANDOM}"),
        "spec.trafficPolicy.portLevelSettings[0].port: Required value: portTrafficPolicy must have valid port");
    assertRejected(DR, policy("portLevelSettings:\n- port: {number: 80}"), "port traffic policy must have at least one field");
    assertRejected(DR, policy("tunnel: {targetPort: 8443}"), "spec.trafficPolicy.tunnel.targetHost: Required value");
    assertRejected(DR, policy("tunnel: {protocol: GET, targetHost: h, targetPort: 8443}"),
        "spec.trafficPolicy.tunnel.protocol: Invalid value: \"GET\": tunnel protocol must be \"CONNECT\" or \"POST\"");
    assertRejected(DR, policy("tunnel: {targetHost: 'not a host', targetPort: 8443}"), "tunnel target host must be valid FQDN or IP address");
    assertRejected(DR, policy("tunnel: {targetHost: h.com, targetPort: 70000}"), "tunnel target port is invalid");
    assertRejected(DR, policy("tunnel: {targetHost: h.com, targetPort: 8443}\nproxyProtocol: {version: V1}"),
        "tunnel and proxyProtocol must not be set together");
    assertRejected(DR, policy("proxyProtocol: {version: V3}"), "spec.trafficPolicy.proxyProtocol.version: Unsupported value: \"V3\"");
    assertRejected(DR, policy("retryBudget: {percent: 150}"), "spec.trafficPolicy.retryBudget.percent: Invalid value: 150: retry budget percent must be in range [0.0, 100.0]");
  }

  @Test
  void subsets() {
    assertRejected(DR, "host: r\nsubsets:\n- name: v1\n- name: v1\n", "spec.subsets[1].name: Invalid value: \"v1\": duplicate subset names: v1");
    assertRejected(DR, "host: r\nsubsets:\n- labels: {version: v1}\n", "spec.subsets[0].name: Required value");
    assertRejected(DR, "host: r\nsubsets:\n- name: v_1\n", "spec.subsets[0].name: Invalid value: \"v_1\": subset name is invalid: v_1");
    assertValid(DR, "host: r\nsubsets:\n- name: V1\n");
    assertRejected(DR, "host: r\nsubsets:\n- name: v1\n  labels: {'bad key!': v1}\n", "spec.subsets[0].labels[bad key!]");
  }

  @Test
  void workloadSelectorAndExportTo() {
    assertRejected(DR, "host: r\nworkloadSelector: {matchLabels: {app: '*'}}\n", "wildcard not allowed in label value match");
    assertRejected(DR, "host: r\nexportTo: ['Not A Namespace']\n", "spec.exportTo[0]: Invalid value");
    assertRejected(DR, "host: r\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: ['*']\n",
        "destination rule with workload selector cannot have exportTo beyond current namespace");
    assertRejected(DR, "host: r\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: [., other]\n",
        "destination rule with workload selector cannot have multiple entries in exportTo");
    assertValid(DR, "host: r\nworkloadSelector: {matchLabels: {app: a}}\nexportTo: [.]\n");
  }
}
