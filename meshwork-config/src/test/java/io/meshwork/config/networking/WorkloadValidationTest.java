package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** WorkloadEntry and WorkloadGroup rules. */
class WorkloadValidationTest {
  private static final String WE = "WorkloadEntry";
  private static final String WG = "WorkloadGroup";

  @Test
  void addressOrNetworkIsRequired() {
    assertRejected(WE, "serviceAccount: sa\n", "spec: Invalid value: \"object\": Address is required");
    var noAddress = Docs.load(Docs.doc(WE, "network: net\n"));
    assertThat(noAddress.errors()).isEmpty();
    assertThat(noAddress.warnings()).anyMatch(w -> w.contains("address is unset with network \"net\""));
    assertValid(WE, "address: vm1.example.com\nports: {http: 8080}\n");
  }

  @Test
  void unixDomainSockets() {
    assertValid(WE, "address: unix:///var/run/app.sock\n");
    assertValid(WE, "address: unix://@abstract\n");
    assertRejected(WE, "address: unix://relative\n", "UDS must be an absolute path or abstract socket");
    assertRejected(WE, "address: unix:///dir/\n", "UDS may not be a dir");
    assertRejected(WE, "address: unix:///a.sock\nports: {http: 80}\n", "UDS may not include ports");
  }

  @Test
  void portsAndLabels() {
    assertRejected(WE, "address: 1.1.1.1\nports: {http: 99999}\n", "spec.ports[http]: Invalid value: 99999: port must be between 1-65535");
    assertRejected(WE, "address: 1.1.1.1\nports: {'@': 80}\n", "spec.ports: Invalid value");
    assertRejected(WE, "address: 1.1.1.1\nlabels: {app: 'a b'}\n", "spec.labels[app]: Invalid value: \"a b\"");
    assertRejected(WE, "address: 'not an address!'\n",
        "spec.address: Invalid value: \"not an address!\": endpoint address \"not an address!\" is not a valid FQDN or an IP address");
    assertRejected(WE, "address: 1.1.1.1\nweight: 4294967296\n", "spec.weight: Invalid value: 4294967296");
  }

  @Test
  void groupTemplateAndProbe() {
    var doc = Docs.load(Docs.doc(WG, """
        metadata: {labels: {app: vm}, annotations: {note: x}}
        template: {serviceAccount: vm-sa, network: net, ports: {http: 8080}}
        probe:
          periodSeconds: 5
          httpGet: {path: /ready, port: 8080, scheme: HTTPS, httpHeaders: [{name: x-probe, value: '1'}]}
        """));
    assertThat(doc.errors()).isEmpty();
    var wg = (WorkloadGroup) doc.resource().spec();
    assertThat(wg.probe().httpGet().port()).isEqualTo(8080);
    assertThat(wg.template().serviceAccount()).isEqualTo("vm-sa");

    assertRejected(WG, "metadata: {labels: {app: vm}}\n", "spec.template: Required value");
    assertRejected(WG, "template: {serviceAccount: sa}\n", "spec.template: Invalid value: \"object\": Address is required");
    assertRejected(WG, "template: {network: n}\nprobe: {tcpSocket: {port: 65536}}\n", "port must be between 1-65535");
    assertRejected(WG, "template: {network: n}\nprobe: {httpGet: {port: 80, httpHeaders: [{name: '**'}]}}\n",
        "spec.probe.httpGet.httpHeaders[0].name in body should match");
    assertRejected(WG, "template: {network: n}\nprobe: {tcpSocket: {port: 80}, exec: {command: [/bin/true]}}\n",
        "only one of httpGet, tcpSocket, exec or grpc can be set");
    assertRejected(WG, "template: {network: n}\nprobe: {periodSeconds: 3}\n", "a probe must set one of httpGet, tcpSocket, exec or grpc");
    assertRejected(WG, "template: {network: n}\nprobe: {exec: {}}\n", "spec.probe.exec.command: Required value");
    assertValid(WG, "template: {network: n}\nprobe: {grpc: {port: 9090, service: health}}\n");
    assertRejected(WG, "template: {network: n}\nprobe: {httpGet: {port: 80, scheme: http}}\n", "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"");
    assertRejected(WG, "template: {network: n}\nprobe: {initialDelaySeconds: -1, tcpSocket: {port: 80}}\n", "spec.probe.initialDelaySeconds: Invalid value: -1");
  }
}
