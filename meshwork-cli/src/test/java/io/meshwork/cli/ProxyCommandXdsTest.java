package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.testing.FakeUpstream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code meshwork proxy --control-plane ...} as a user runs it: progress lines, traffic through a bind, quit via admin. */
class ProxyCommandXdsTest {
  static int freePort() throws Exception {
    return MeshMtlsEndToEndTest.freePort(); // outside the ephemeral range: no port-0 bind can take it first
  }

  @Test
  void followsTheControlPlaneAndReportsProgress() throws Exception {
    try (var v1 = FakeUpstream.named("v1").start();
        var cp = ControlPlane.start(ControlPlane.Options.defaults().withPorts(0, 0))) {
      cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("t.yaml", XdsEndToEndTest.MESH.formatted(v1.port(), v1.port())));
      cp.xds().push(); // rebuild the view now, not after the debounce, so the first configuration already has the listeners
      int bind = freePort();
      int admin = freePort();
      var err = new StringWriter();
      var code = new AtomicInteger(-1);
      var thread = Thread.ofVirtual().start(() -> code.set(Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
          "proxy", "--control-plane", "127.0.0.1:" + cp.xdsPort(), "--workload", "productpage-v1", "--namespace", "default",
          "--labels", "app=productpage,version=v1", "--service-account", "bookinfo-productpage", "--ip", "127.0.0.1",
          "--app-port", "http=9080", "--upstream-bind", "reviews:9080=127.0.0.1:" + bind, "--admin", "127.0.0.1:" + admin,
          "--concurrency", "1")));
      var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      String body = "";
      while (System.nanoTime() < deadline && !body.equals("v1")) {
        try {
          body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bind + "/")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
          Thread.sleep(50);
        }
      }
      assertThat(body).as(err.toString()).isEqualTo("v1");
      // The proxy prints its progress line just after it bound the listener, so traffic can be first.
      while (System.nanoTime() < deadline && !err.toString().contains("first configuration applied")) {
        Thread.sleep(20);
      }
      assertThat(err.toString()).contains("connecting to control plane 127.0.0.1:" + cp.xdsPort(), "first configuration applied",
          "listener virtualOutbound not bound: use_original_dst", "ready", "admin on 127.0.0.1:" + admin);
      assertThat(cp.xds().proxies()).anySatisfy(p -> assertThat(p.workload()).isEqualTo("productpage-v1"));
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/quitquitquit"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      thread.join(Duration.ofSeconds(10));
      assertThat(code.get()).as(err.toString()).isZero();
      assertThat(err.toString()).contains("stopped");
    }
  }

  @Test
  void bootstrapOrControlPlaneIsRequired() {
    var r = CliRunner.run("proxy");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("pass exactly one of --bootstrap FILE or --control-plane HOST:PORT");
    var noWorkload = CliRunner.run("proxy", "--control-plane", "127.0.0.1:1");
    assertThat(noWorkload.exitCode()).isEqualTo(2);
    assertThat(noWorkload.err()).contains("--workload NAME is required");
  }
}
