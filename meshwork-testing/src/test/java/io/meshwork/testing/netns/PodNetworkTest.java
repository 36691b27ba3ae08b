package io.meshwork.testing.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real namespaces, veths and a bridge; needs root and iproute2, and skips otherwise. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodNetworkTest {

  @BeforeAll
  static void needsRootAndNetns() {
    var reason = PodNetwork.unavailable();
    assumeTrue(reason.isEmpty(), () -> "skipped: " + reason.orElseThrow());
  }

  @Test
  void podsReachEachOtherByNameAsTheirUsersAndEverythingIsRemovedOnClose() throws Exception {
    Pod client;
    String hostsDir;
    try (var net = PodNetwork.create()) {
      client = net.addPod("client");
      var server = net.addPod("server");
      var vip = net.addService("reviews");
      hostsDir = client.hostsFile().getParent().toString();

      assertThat(client.address().getHostAddress()).startsWith("198.18.");
      assertThat(vip.getHostAddress()).startsWith("198.19.");
      assertThat(Files.readString(client.hostsFile()))
          .contains(server.address().getHostAddress() + "\tserver", vip.getHostAddress() + "\treviews");
      assertThat(net.remaining()).contains(client.netns(), server.netns(), net.bridge(), client.hostVeth());

      // A Java listener created on a thread inside the server pod.
      try (ServerSocket listener = server.call(PodUser.ROOT, () -> new ServerSocket(8080, 8, server.address()))) {
        var seen = CompletableFuture.supplyAsync(() -> {
          try (var s = listener.accept()) {
            var line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            s.getOutputStream().write(("from " + ((InetSocketAddress) s.getRemoteSocketAddress()).getAddress().getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8));
            return line;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        // The client is bash as the app user, resolving "server" through the pod's /etc/hosts.
        var r = client.run(PodUser.APP, Duration.ofSeconds(20), "bash", "-c",
            "id -u; exec 3<>/dev/tcp/server/8080; echo hello >&3; head -n1 <&3");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("1000\nfrom " + client.address().getHostAddress() + "\n");
        assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
      }
      assertThat(server.run(PodUser.PROXY, Duration.ofSeconds(10), "id", "-u").stdout().strip()).isEqualTo("1337");

      // A process left running in a pod is killed on close.
      client.start(PodUser.APP, "sleep", "300");
      net.close();
      assertThat(net.remaining()).isEmpty();
    }
    assertThat(Files.exists(java.nio.file.Path.of(hostsDir))).isFalse();
    assertThat(Commands.run("ip", "netns", "pids", client.netns()).ok()).isFalse();
  }

  @Test
  void objectsOfADeadOwnerAreRemovedOnTheNextStart() throws Exception {
    var dead = new ProcessBuilder("true").start();
    dead.waitFor();
    var deadId = Long.toString(dead.pid(), 36);
    var ns = "mw-" + deadId + "-0-crashed";
    var bridge = "mw-" + deadId + "-0-br";
    Commands.check("ip", "netns", "add", ns);
    Commands.check("ip", "link", "add", bridge, "type", "bridge");
    Files.createDirectories(java.nio.file.Path.of("/etc/netns", ns));
    Files.writeString(java.nio.file.Path.of("/etc/netns", ns, "hosts"), "127.0.0.1 localhost\n");

    try (var net = PodNetwork.create()) {
      assertThat(net.id()).startsWith(Long.toString(ProcessHandle.current().pid(), 36) + "-");
      assertThat(Commands.run("ip", "netns", "list").stdout()).doesNotContain(ns);
      assertThat(Commands.run("ip", "link", "show", bridge).ok()).isFalse();
      assertThat(Files.exists(java.nio.file.Path.of("/etc/netns", ns))).isFalse();
      // our own, live network is not stale
      assertThat(PodNetwork.cleanStale()).isEmpty();
      assertThat(net.remaining()).contains(net.bridge());
    }
  }
}
