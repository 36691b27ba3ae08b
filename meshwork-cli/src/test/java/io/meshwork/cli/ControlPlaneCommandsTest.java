package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.xds.client.NodeInfo;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** apply, get, delete, proxy-status, proxy-config and describe against an in-process control plane on loopback. */
class ControlPlaneCommandsTest {
  static final String SVC = """
      apiVersion: v1
      kind: Service
      metadata:
        name: reviews
      spec:
        selector: {app: reviews}
        ports:
        - name: http
          port: 9080
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: reviews
      spec:
        host: reviews
        subsets:
        - name: v1
          labels: {version: v1}
      """;

  /** Written with the {@code NAME.NAMESPACE} host form, which must resolve like the short and full names. */
  static final String VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
      spec:
        hosts: [reviews.default]
        http:
        - match:
          - headers:
              end-user: {exact: jason}
          route:
          - destination: {host: reviews.default, subset: v1}
        - route:
          - destination: {host: reviews.default}
      """;

  @TempDir Path dir;
  ControlPlane cp;
  String address;

  @BeforeEach
  void start() throws Exception {
    cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0));
    address = "127.0.0.1:" + cp.restPort();
  }

  @AfterEach
  void stop() throws Exception {
    cp.close();
  }

  @Test
  void applyGetDelete() throws Exception {
    var f = dir.resolve("reviews.yaml");
    Files.writeString(f, SVC);
    var apply = CliRunner.run("apply", "-f", f.toString(), "--control-plane", address);
    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("service/reviews created", "destinationrule.networking.istio.io/reviews created");
    assertThat(CliRunner.run("apply", "-f", f.toString(), "--control-plane", address).out()).contains("service/reviews unchanged");

    var get = CliRunner.run("get", "dr", "--control-plane", address);
    assertThat(get.out()).contains("NAME", "reviews");
    var yaml = CliRunner.run("get", "svc", "reviews", "-o", "yaml", "--control-plane", address);
    assertThat(yaml.out()).contains("kind: Service", "port: 9080");

    var del = CliRunner.run("delete", "dr", "reviews", "--control-plane", address);
    assertThat(del.out()).contains("destinationrule.networking.istio.io/reviews deleted");
    var again = CliRunner.run("delete", "-f", f.toString(), "--control-plane", address);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.out()).contains("service/reviews deleted", "destinationrule.networking.istio.io/reviews not found");
  }

  @Test
  void getByNamespaceAllNamespacesAndAsJson() throws Exception {
    var f = dir.resolve("mesh.yaml");
    Files.writeString(f, SVC + """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: ratings
          namespace: shop
        spec:
          host: ratings
        """);
    var apply = CliRunner.run("apply", "-f", f.toString(), "--control-plane", address);
    assertThat(apply.exitCode()).as(apply.err()).isZero();

    var own = CliRunner.run("get", "dr", "-n", "shop", "--control-plane", address);
    assertThat(own.out()).contains("ratings").doesNotContain("reviews");
    var dflt = CliRunner.run("get", "dr", "--control-plane", address);
    assertThat(dflt.out()).contains("reviews").doesNotContain("ratings");
    var none = CliRunner.run("get", "vs", "-n", "shop", "--control-plane", address);
    assertThat(none.out()).contains("No resources found in shop namespace.");
    var all = CliRunner.run("get", "dr", "-A", "--control-plane", address);
    assertThat(all.out().lines().filter(l -> l.startsWith("shop ") && l.contains("ratings")).count()).isEqualTo(1);
    assertThat(all.out().lines().filter(l -> l.startsWith("default ") && l.contains("reviews")).count()).isEqualTo(1);

    var json = CliRunner.run("get", "dr", "ratings", "-n", "shop", "-o", "json", "--control-plane", address);
    assertThat(json.exitCode()).as(json.err()).isZero();
    var dr = io.meshwork.config.codec.ConfigLoader.JSON.readTree(json.out());
    assertThat(dr.path("kind").asText()).isEqualTo("DestinationRule");
    assertThat(dr.path("metadata").path("namespace").asText()).isEqualTo("shop");
    assertThat(dr.path("spec").path("host").asText()).isEqualTo("ratings");
    var missing = CliRunner.run("get", "dr", "ratings", "--control-plane", address);
    assertThat(missing.exitCode()).as("ratings is not in the default namespace").isNotZero();
  }

  @Test
  void invalidInputIsRejectedLocallyAndNothingIsApplied() throws Exception {
    var f = dir.resolve("bad.yaml");
    Files.writeString(f, SVC + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n");
    var r = CliRunner.run("apply", "-f", f.toString(), "--control-plane", address);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("metadata.name", "nothing was applied");
    assertThat(cp.store().snapshot().resources()).isEmpty();
  }

  @Test
  void unreachableControlPlaneIsOneSentence() throws Exception {
    int port;
    try (var s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    var r = CliRunner.run("get", "vs", "--control-plane", "127.0.0.1:" + port);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("cannot reach the control plane").doesNotContain("Exception");
  }

  @Test
  void controlReportsAPortInUse() throws Exception {
    var r = CliRunner.run("control", "--port", Integer.toString(cp.restPort()), "--xds-port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("port " + cp.restPort() + " (REST API) is already in use");
  }

  @Test
  void proxyStatusConfigAndDescribe() throws Exception {
    var f = dir.resolve("reviews.yaml");
    Files.writeString(f, SVC + "---\n" + VS);
    var applied = CliRunner.run("apply", "-f", f.toString(), "--control-plane", address);
    assertThat(applied.out()).as(applied.err()).contains("virtualservice.networking.istio.io/reviews created");
    cp.xds().push();
    var node = NodeInfo.sidecar("reviews-v1", "default", Map.of("app", "reviews", "version", "v1"), "10.0.0.7", Map.of("http", 9080));
    try (var client = XdsClient.start("127.0.0.1:" + cp.xdsPort(), node, s -> XdsHandler.Verdict.ACCEPT)) {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!CliRunner.run("proxy-status", "--control-plane", address).out().contains("SYNCED   SYNCED   SYNCED   SYNCED")) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(CliRunner.run("get", "proxystatus", "--control-plane", address).out()).contains("sidecar~10.0.0.7~reviews-v1.default");
      var clusters = CliRunner.run("proxy-config", "clusters", "reviews-v1", "--control-plane", address);
      assertThat(clusters.out()).contains("reviews.default.svc.cluster.local   9080   v1").contains("outbound");
      var listeners = CliRunner.run("proxy-config", "listeners", "reviews-v1", "--control-plane", address);
      assertThat(listeners.out()).contains("0.0.0.0_9080", "Route: 9080", "virtualInbound");
      var routes = CliRunner.run("proxy-config", "routes", "reviews-v1", "--control-plane", address);
      assertThat(routes.exitCode()).as(routes.err()).isZero();
      assertThat(routes.out()).contains("NAME", "VIRTUAL HOST", "DOMAINS", "MATCH", "ACTION");
      var reviewsRows = routes.out().lines().filter(l -> l.startsWith("9080 ") && l.contains("reviews.default.svc.cluster.local:9080")).toList();
      assertThat(reviewsRows).as("the VirtualService written with reviews.default routes the FQDN's virtual host").hasSize(2);
      assertThat(reviewsRows.get(0)).contains("/* +1 header(s)", "outbound|9080|v1|reviews.default.svc.cluster.local");
      assertThat(reviewsRows.get(1)).contains("outbound|9080||reviews.default.svc.cluster.local").doesNotContain("header");
      var routesJson = CliRunner.run("proxy-config", "routes", "reviews-v1", "-o", "json", "--control-plane", address);
      var rcs = io.meshwork.config.codec.ConfigLoader.JSON.readTree(routesJson.out());
      assertThat(rcs.findValuesAsText("name")).contains("9080");
      assertThat(routesJson.out()).contains("\"end-user\"", "\"jason\"");
      var endpoints = CliRunner.run("proxy-config", "endpoints", "reviews-v1", "-o", "json", "--control-plane", address);
      assertThat(endpoints.out()).contains("10.0.0.7");
      var describe = CliRunner.run("describe", "service", "reviews", "--control-plane", address);
      assertThat(describe.out()).contains("Service: reviews.default.svc.cluster.local", "VirtualService: default/reviews",
          "DestinationRule: default/reviews", "10.0.0.7:9080 HEALTHY");
      var lines = describe.out().lines().toList();
      int v1 = lines.indexOf("  Subset v1 {\"version\":\"v1\"} -> outbound|9080|v1|reviews.default.svc.cluster.local");
      assertThat(v1).as(describe.out()).isPositive();
      assertThat(lines.get(v1 + 1)).startsWith("    10.0.0.7:9080 HEALTHY (").contains("reviews-v1");
      assertThat(lines).contains("  Subset (all) -> outbound|9080||reviews.default.svc.cluster.local");
      var byNamespaceForm = CliRunner.run("describe", "service", "reviews.default", "--control-plane", address);
      assertThat(byNamespaceForm.exitCode()).as(byNamespaceForm.err()).isZero();
      assertThat(byNamespaceForm.out()).isEqualTo(describe.out());
      var unknown = CliRunner.run("describe", "service", "reviews.other", "--control-plane", address);
      assertThat(unknown.exitCode()).isNotZero();
      assertThat(unknown.err()).contains("no service \"reviews.other\"");
    }
  }
}
