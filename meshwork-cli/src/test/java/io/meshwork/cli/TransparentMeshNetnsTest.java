package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.cli.transparent.CapturedSidecar;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.ca.CaSettings;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.security.identity.SpiffeId;
import io.meshwork.security.pki.KeyAlgorithm;
import io.meshwork.testing.netns.Pod;
import io.meshwork.testing.netns.PodNetwork;
import io.meshwork.testing.netns.PodUser;
import io.netty.channel.epoll.Epoll;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transparent interception end to end on the real kernel: a client pod and a server pod (network
 * namespaces on a bridge), each with Istio's capture rules and a sidecar in capture mode that
 * gets its workload certificate and its configuration from a control plane in the root namespace.
 * The client app is bash, run as uid 1000, that knows nothing of the mesh: it opens
 * {@code reviews:9080} and {@code redis:6379} by name ({@code /etc/hosts} gives the service
 * VIPs, which no interface holds). The server apps are an HTTP server and a redis stand-in on
 * 0.0.0.0 in the server pod. PeerAuthentication STRICT is applied first, so an answer proves the
 * sidecar-to-sidecar hop was mTLS.
 */
class TransparentMeshNetnsTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        clusterIP: %s
        selector: {app: server}
        ports:
        - {name: http, port: 9080}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: redis}
      spec:
        clusterIP: %s
        selector: {app: server}
        ports:
        - {name: tcp, port: 6379}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        selector: {app: nobody}
        ports:
        - {name: http, port: 8000}
      ---
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: default, namespace: istio-system}
      spec:
        mtls: {mode: STRICT}
      """;

  @TempDir Path dir;
  final List<AutoCloseable> open = new ArrayList<>();
  final List<String> httpCallers = new CopyOnWriteArrayList<>();
  final List<String> redisCallers = new CopyOnWriteArrayList<>();
  final List<String> otherCallers = new CopyOnWriteArrayList<>();
  final List<String> webCallers = new CopyOnWriteArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  PodNetwork net;
  ControlPlane cp;

  @BeforeAll
  static void requirements() throws Exception {
    var reason = PodNetwork.unavailable();
    if (reason.isPresent()) {
      if (System.getenv("CI") != null) {
        fail("CI runs as root with iproute2 and setpriv; pods cannot be created: " + reason.get());
      }
      assumeTrue(false, "skipped (not root and not CI): " + reason.get());
    }
    assumeTrue(Epoll.isAvailable(), "skipped: Netty's epoll transport is not available");
    var iptables = io.meshwork.proxy.capture.CommandRunner.local().run(List.of("iptables-restore", "--version"), "");
    if (!iptables.ok() && System.getenv("CI") != null) {
      fail("CI installs iptables (.ci/run), but iptables-restore does not run");
    }
    assumeTrue(iptables.ok(), "skipped: iptables-restore is not installed");
    // The sidecars' event loops run with filesystem uid 1337 (as a sidecar would); open every jar of
    // the class path now, as root, so classes they load later come from already open files.
    var all = ClassLoader.getSystemClassLoader().getResources("META-INF/MANIFEST.MF");
    while (all.hasMoreElements()) {
      all.nextElement();
    }
  }

  @AfterEach
  void close() throws Exception {
    for (var c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("close: " + e);
      }
    }
    if (net != null) {
      net.close();
      assertThat(net.remaining()).as("no namespace, veth or bridge left").isEmpty();
    }
  }

  @Test
  void redirectMode() throws Exception {
    var mesh = mesh(InterceptionMode.REDIRECT);
    // REDIRECT rewrites the destination only in the pod's own nat table; the server sidecar still
    // sees the client pod's address, but its connection to the app for a service port goes to the
    // inbound cluster's endpoint 127.0.0.1:PORT from 127.0.0.1, so that is what the app sees.
    assertThat(httpCallers).containsOnly("127.0.0.1");
    assertThat(redisCallers).containsOnly("127.0.0.1");
    // A port with no service: client passthrough (ALLOW_ANY) → server inbound passthrough from 127.0.0.6.
    assertThat(mesh.client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + mesh.server.address().getHostAddress() + "/7777 && printf 'hi\\n' >&3 && timeout 10 head -n1 <&3")
        .stdout()).contains("other says hi");
    assertThat(otherCallers).containsExactly("127.0.0.6");
    // HTTP to an address no service has, on a port that is an HTTP service port (8000): the
    // allow_any virtual host sends it to PassthroughCluster, i.e. the original destination.
    var direct = mesh.client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + mesh.server.address().getHostAddress() + "/8000 && printf 'GET / HTTP/1.1\\r\\nHost: direct.example\\r\\nConnection: close\\r\\n\\r\\n' >&3"
            + " && timeout 10 cat <&3");
    assertThat(direct.stdout()).as(direct.toString()).startsWith("HTTP/1.1 200").contains("web says hi");
    assertThat(webCallers).containsExactly("127.0.0.6");

    // REGISTRY_ONLY: virtualOutbound's catch-all becomes BlackHoleCluster; the unknown destination is refused.
    long version = mesh.clientSidecar.proxy().version();
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("sidecar.yaml", """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: default}
        spec:
          egress:
          - hosts: ["./*"]
          outboundTrafficPolicy: {mode: REGISTRY_ONLY}
        """));
    assertThat(result.errors()).isEmpty();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (mesh.clientSidecar.proxy().version() == version && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(mesh.clientSidecar.proxy().version()).as("the client sidecar got the Sidecar push").isGreaterThan(version);
    var refused = mesh.client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + mesh.server.address().getHostAddress() + "/7777 && printf 'hi\\n' >&3 && timeout 5 head -n1 <&3");
    assertThat(refused.stdout()).doesNotContain("other says hi");
    assertThat(otherCallers).as("nothing reached the unknown destination").hasSize(1);
    // Services in the registry still work.
    assertThat(mesh.client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/redis/6379 && printf 'PING\\r\\n' >&3 && timeout 10 head -n1 <&3").stdout()).startsWith("+PONG");
  }

  @Test
  void tproxyModeKeepsTheCallersAddress() throws Exception {
    var mesh = mesh(InterceptionMode.TPROXY);
    assertThat(mesh.client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + mesh.server.address().getHostAddress() + "/7777 && printf 'hi\\n' >&3 && timeout 10 head -n1 <&3")
        .stdout()).contains("other says hi");
    assertThat(otherCallers).as("the server app sees the client pod's address, not the proxy's")
        .containsExactly(mesh.client.address().getHostAddress());
    // Service ports too: the server sidecar's connection to the app leaves from the caller's address.
    String client = mesh.client.address().getHostAddress();
    assertThat(httpCallers).as("the HTTP app sees the client pod").containsOnly(client);
    assertThat(redisCallers).as("the TCP app sees the client pod").containsOnly(client);

    // A second client pod: its calls reach the app from its own address (the server sidecar's
    // pooled connections to the app are per caller).
    var other = net.addPod("other");
    sidecar(cp, dir.resolve("root-cert.pem"), other, InterceptionMode.TPROXY, "other", Map.of());
    String otherIp = other.address().getHostAddress();
    assertThat(httpGet(other)).startsWith("HTTP/1.1 200");
    assertThat(httpCallers.getLast()).isEqualTo(otherIp);
    assertThat(redisPing(other)).startsWith("+PONG");
    assertThat(redisCallers.getLast()).isEqualTo(otherIp);

    // source.ip authorization on the server: only the first client pod, by ipBlocks (HTTP port)
    // and remoteIpBlocks (TCP port). It can only hold if the server sidecar sees the real caller.
    var applied = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("by-ip.yaml", """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: by-ip, namespace: default}
        spec:
          selector: {matchLabels: {app: server}}
          action: ALLOW
          rules:
          - from: [{source: {ipBlocks: ["%1$s/32"]}}]
            to: [{operation: {ports: ["9080"]}}]
          - from: [{source: {remoteIpBlocks: ["%1$s/32"]}}]
            to: [{operation: {ports: ["6379"]}}]
        """.formatted(client)));
    assertThat(applied.errors()).isEmpty();
    // Wait for the policy to reach the server sidecar: the other pod's HTTP call is refused with 403.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String denied = httpGet(other);
    while (!denied.startsWith("HTTP/1.1 403") && System.nanoTime() < deadline) {
      Thread.sleep(200);
      denied = httpGet(other);
    }
    assertThat(denied).as("the other pod is not in ipBlocks").startsWith("HTTP/1.1 403").contains("RBAC: access denied");
    int httpBefore = httpCallers.size();
    assertThat(httpGet(mesh.client)).as("the client pod is in ipBlocks").startsWith("HTTP/1.1 200");
    assertThat(httpCallers).hasSize(httpBefore + 1);
    assertThat(httpCallers.getLast()).isEqualTo(client);
    // TCP (same push: one virtualInbound listener): the other pod's connection is closed unanswered.
    int redisBefore = redisCallers.size();
    assertThat(redisPing(other)).as("the other pod is not in remoteIpBlocks").doesNotContain("+PONG");
    assertThat(redisCallers).as("nothing of the other pod reached the TCP app").hasSize(redisBefore);
    assertThat(redisPing(mesh.client)).as("the client pod is in remoteIpBlocks").startsWith("+PONG");
    assertThat(redisCallers).hasSize(redisBefore + 1);
    assertThat(redisCallers.getLast()).isEqualTo(client);
    assertThat(httpCallers).as("nothing of the other pod reached the HTTP app after the policy").hasSize(httpBefore + 1);
  }

  /** GET http://reviews:9080/ by name, as the pod's app user; the raw response (empty when refused). */
  static String httpGet(Pod pod) {
    return pod.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/reviews/9080 && printf 'GET / HTTP/1.1\\r\\nHost: reviews:9080\\r\\nConnection: close\\r\\n\\r\\n' >&3"
            + " && timeout 10 cat <&3").stdout();
  }

  /** PING to redis:6379 by name, as the pod's app user; the first line of the answer (empty when refused). */
  static String redisPing(Pod pod) {
    return pod.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/redis/6379 && printf 'PING\\r\\n' >&3 && timeout 10 head -n1 <&3").stdout();
  }

  record Mesh(Pod client, Pod server, CapturedSidecar clientSidecar, CapturedSidecar serverSidecar) {}

  /** Starts everything, then checks HTTP and TCP by name, mTLS, metrics on both sides and no loop. */
  Mesh mesh(InterceptionMode mode) throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(null, "127.0.0.1", 0, 0, o.registrationGrace(), Duration.ofMillis(20), true),
        CaSettings.selfSigned(dir.resolve("ca-state"), 0));
    open.add(cp);
    net = PodNetwork.create();
    var client = net.addPod("client");
    var server = net.addPod("server");
    var reviewsVip = net.addService("reviews");
    var redisVip = net.addService("redis");
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("mesh.yaml",
        MESH.formatted(reviewsVip.getHostAddress(), redisVip.getHostAddress())));
    assertThat(result.errors()).isEmpty();
    var root = dir.resolve("root-cert.pem");
    Files.writeString(root, cp.ca().rootPem());
    startApps(server);

    var serverSidecar = sidecar(cp, root, server, mode, "server", Map.of("http", 9080, "tcp", 6379));
    var clientSidecar = sidecar(cp, root, client, mode, "client", Map.of());

    // HTTP by name, as uid 1000, through both sidecars.
    var reply = client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/reviews/9080 && printf 'GET / HTTP/1.1\\r\\nHost: reviews:9080\\r\\nConnection: close\\r\\n\\r\\n' >&3"
            + " && timeout 10 cat <&3");
    assertThat(reply.stdout()).as(reply.toString()).startsWith("HTTP/1.1 200").contains("reviews says hi");
    // TCP by name: the redis stand-in answers PING.
    var pong = client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/redis/6379 && printf 'PING\\r\\n' >&3 && timeout 10 head -n1 <&3");
    assertThat(pong.stdout()).as(pong.toString()).startsWith("+PONG");

    // No loop: each call reached the app exactly once, from the server sidecar.
    assertThat(httpCallers).hasSize(1);
    assertThat(redisCallers).hasSize(1);

    // Metrics on both sides, over mTLS (the hop had to be mTLS: STRICT).
    var source = scrape(clientSidecar);
    var destination = scrape(serverSidecar);
    assertThat(metric(source, "istio_requests_total")).contains("reporter=\"source\"").contains("response_code=\"200\"")
        .contains("destination_service=\"reviews.default.svc.cluster.local\"");
    assertThat(metric(destination, "istio_requests_total")).contains("reporter=\"destination\"")
        .contains("connection_security_policy=\"mutual_tls\"").contains("source_workload=\"client-v1\"");
    assertThat(metric(source, "istio_tcp_connections_opened_total")).contains("reporter=\"source\"")
        .contains("destination_service=\"redis.default.svc.cluster.local\"");
    assertThat(metric(destination, "istio_tcp_connections_opened_total")).contains("reporter=\"destination\"")
        .contains("connection_security_policy=\"mutual_tls\"");

    // STRICT really holds on the captured inbound port: plaintext from another pod (as the proxy
    // user, so the client pod does not capture it) gets no answer from the app.
    int before = httpCallers.size();
    var plain = client.run(PodUser.PROXY, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + server.address().getHostAddress() + "/9080 && printf 'GET / HTTP/1.1\\r\\nHost: reviews\\r\\nConnection: close\\r\\n\\r\\n' >&3"
            + " && timeout 5 cat <&3");
    assertThat(plain.stdout()).doesNotContain("reviews says hi");
    assertThat(httpCallers).hasSize(before);

    // Cleanup of the rules when the sidecars stop (the namespaces go in close()).
    clientSidecar.close();
    serverSidecar.close();
    open.remove(clientSidecar);
    open.remove(serverSidecar);
    for (var pod : List.of(client, server)) {
      for (var table : List.of("nat", "mangle")) {
        var saved = pod.run(PodUser.ROOT, Duration.ofSeconds(10), "iptables-save", "-t", table).stdout();
        assertThat(saved).as(pod.name() + " " + table).doesNotContain("ISTIO_");
      }
    }
    // The rules are gone: the app's call to a VIP goes nowhere now.
    var after = client.run(PodUser.APP, Duration.ofSeconds(10), "bash", "-c", "timeout 3 bash -c 'exec 3<>/dev/tcp/reviews/9080'");
    assertThat(after.ok()).isFalse();
    // Start them again for the caller's own checks.
    var s2 = sidecar(cp, root, server, mode, "server", Map.of("http", 9080, "tcp", 6379));
    var c2 = sidecar(cp, root, client, mode, "client", Map.of());
    return new Mesh(client, server, c2, s2);
  }

  CapturedSidecar sidecar(ControlPlane cp, Path root, Pod pod, InterceptionMode mode, String name, Map<String, Integer> ports)
      throws Exception {
    var token = dir.resolve(name + "-" + System.nanoTime() + ".token");
    cp.ca().issueJoinToken("default", name, null, token);
    var identity = new WorkloadAgent.Options("127.0.0.1:" + cp.ca().port(), token, root, SpiffeId.of("default", name), null,
        KeyAlgorithm.EC_P256);
    var sidecar = CapturedSidecar.start(pod.netns(), pod.address(), pod.threadFactory(PodUser.PROXY), mode,
        "127.0.0.1:" + cp.xdsPort(), name + "-v1", "default", Map.of("app", name), name, ports, identity,
        new InetSocketAddress("127.0.0.1", 0), System.out);
    open.add(sidecar);
    assertThat(sidecar.awaitReady(Duration.ofSeconds(20))).as(name + " got its configuration").isTrue();
    return sidecar;
  }

  /**
   * The server pod's apps, bound in the pod as uid 1000: HTTP on 9080 (reviews), a redis stand-in on
   * 6379, a plain TCP app on 7777 and an HTTP app on 8000 (neither of which is one of its service ports).
   */
  void startApps(Pod server) throws Exception {
    var httpServer = server.call(PodUser.APP, () -> HttpServer.create(new InetSocketAddress(9080), 0));
    httpServer.createContext("/", ex -> {
      httpCallers.add(ex.getRemoteAddress().getAddress().getHostAddress());
      var body = "reviews says hi\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    httpServer.start();
    open.add(() -> httpServer.stop(0));
    var web = server.call(PodUser.APP, () -> HttpServer.create(new InetSocketAddress(8000), 0));
    web.createContext("/", ex -> {
      webCallers.add(ex.getRemoteAddress().getAddress().getHostAddress());
      var body = "web says hi\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    web.start();
    open.add(() -> web.stop(0));
    open.add(lineServer(server, 6379, redisCallers, line -> line.trim().equals("PING") ? "+PONG\r\n" : "-ERR unknown\r\n"));
    open.add(lineServer(server, 7777, otherCallers, line -> "other says hi\n"));
  }

  Closeable lineServer(Pod pod, int port, List<String> callers, java.util.function.Function<String, String> answer) throws Exception {
    var ss = pod.call(PodUser.APP, () -> new ServerSocket(port));
    var t = new Thread(() -> {
      while (!ss.isClosed()) {
        try {
          var s = ss.accept();
          callers.add(s.getInetAddress().getHostAddress());
          Thread.ofVirtual().start(() -> {
            try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
              String line;
              while ((line = in.readLine()) != null) {
                s.getOutputStream().write(answer.apply(line).getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
              }
            } catch (Exception ignored) {
              // the caller went away
            }
          });
        } catch (Exception e) {
          return;
        }
      }
    }, "app-" + port);
    t.setDaemon(true);
    t.start();
    return ss;
  }

  String scrape(CapturedSidecar s) throws Exception {
    int port = s.proxy().server().adminPort();
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  static String metric(String page, String name) {
    return String.join("\n", page.lines().filter(l -> l.startsWith(name + "{")).toList());
  }
}
