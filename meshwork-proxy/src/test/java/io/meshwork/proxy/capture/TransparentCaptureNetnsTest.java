package io.meshwork.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.testing.netns.Pod;
import io.meshwork.testing.netns.PodNetwork;
import io.meshwork.testing.netns.PodUser;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transparent capture on a real kernel: two pods ({@code client}, {@code app}) on a bridge, the
 * generated rules applied with iptables inside them, an epoll listener standing in for the proxy
 * ({@link CaptureRelay}) and plain clients (Java sockets and bash's {@code /dev/tcp}) that know
 * nothing of it. Needs root, iproute2, iptables and epoll; skips with the reason otherwise.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransparentCaptureNetnsTest {
  private static PodNetwork net;
  private static Pod client;
  private static Pod app;
  private static InetAddress reviewsVip;
  private static EventLoopGroup group;
  private static final List<AppServer> servers = new ArrayList<>();
  private final List<CaptureRelay> relays = new ArrayList<>();

  @BeforeAll
  static void pods() throws Exception {
    var reason = PodNetwork.unavailable();
    assumeTrue(reason.isEmpty(), () -> "skipped: " + reason.orElseThrow());
    assumeTrue(Epoll.isAvailable(), "skipped: Netty's epoll transport is not available");
    assumeTrue(CommandRunner.local().run(List.of("iptables-restore", "--version"), "").ok(),
        "skipped: iptables is not installed (apt-get install iptables)");
    net = PodNetwork.create();
    client = net.addPod("client");
    app = net.addPod("app");
    reviewsVip = net.addService("reviews");
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    servers.add(AppServer.start(app, 9080, "reviews"));
    servers.add(AppServer.start(app, 8080, "unlisted"));
  }

  @AfterEach
  void removeRules() throws Exception {
    relays.forEach(CaptureRelay::close);
    for (var p : List.of(client, app)) {
      CaptureInstaller.with(CommandRunner.inNamespace(p.netns())).cleanup(1337, 133);
    }
  }

  @AfterAll
  static void removePods() throws Exception {
    servers.forEach(AppServer::close);
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    if (net != null) {
      net.close();
      assertThat(net.remaining()).isEmpty();
    }
  }

  @Test
  void aPlainClientCallingAServiceAddressLandsOn15001WithItsOriginalDestination() throws Exception {
    apply(client, CaptureConfig.defaults());
    var vip = new InetSocketAddress(reviewsVip, 9080);
    var relay = relay(client, 15001, false, Map.of(vip, new InetSocketAddress(app.address(), 9080)), null, 0);

    // A Java client as root, then bash as the app user resolving "reviews" through /etc/hosts.
    assertThat(javaClient(client, PodUser.ROOT, vip)).isEqualTo("reviews saw " + ip(client) + " say hi");
    var r = bash(client, PodUser.APP, "reviews", 9080);
    assertThat(r).isEqualTo("reviews saw " + ip(client) + " say hi");

    assertThat(relay.accepted).hasSize(2);
    assertThat(relay.accepted).allSatisfy(a -> {
      assertThat(a.original()).isEqualTo(vip);
      assertThat(a.local().getPort()).isEqualTo(15001);
    });
  }

  @Test
  void trafficOfTheProxyUidIsNotCapturedSoItsUpstreamCannotLoop() throws Exception {
    apply(client, CaptureConfig.defaults());
    var relay = relay(client, 15001, false, Map.of(), null, 0);
    var appAddr = new InetSocketAddress(app.address(), 9080);

    // uid 1337 goes straight to the app: nothing reaches 15001.
    assertThat(bash(client, PodUser.PROXY, ip(app), 9080)).isEqualTo("reviews saw " + ip(client) + " say hi");
    assertThat(javaClient(client, PodUser.PROXY, appAddr)).isEqualTo("reviews saw " + ip(client) + " say hi");
    assertThat(relay.accepted).isEmpty();

    // The app user to the same address is captured; the relay's own upstream (uid 1337) is not,
    // so exactly one connection reaches 15001 and the call completes (passthrough to the original).
    assertThat(bash(client, PodUser.APP, ip(app), 9080)).isEqualTo("reviews saw " + ip(client) + " say hi");
    assertThat(relay.accepted).hasSize(1);
    assertThat(relay.accepted.getFirst().original()).isEqualTo(appAddr);
  }

  @Test
  void inboundToAPortWithNoServicePassesThroughToTheAppFrom127006() throws Exception {
    apply(app, CaptureConfig.defaults());
    var relay = relay(app, 15006, false, Map.of(), ch -> new InetSocketAddress("127.0.0.6", 0), 0);

    assertThat(bash(client, PodUser.APP, "app", 8080)).isEqualTo("unlisted saw 127.0.0.6 say hi");
    assertThat(relay.accepted).hasSize(1);
    var a = relay.accepted.getFirst();
    assertThat(a.original()).isEqualTo(new InetSocketAddress(app.address(), 8080));
    assertThat(a.remote().getAddress()).isEqualTo(client.address());
    assertThat(a.local().getPort()).isEqualTo(15006);
  }

  @Test
  void theAppCallingItselfThroughItsServiceIsHandledInbound() throws Exception {
    apply(app, CaptureConfig.defaults());
    var vip = new InetSocketAddress(reviewsVip, 9080);
    var self = new InetSocketAddress(app.address(), 9080);
    var outbound = relay(app, 15001, false, Map.of(vip, self), null, 0);
    var inbound = relay(app, 15006, false, Map.of(), ch -> new InetSocketAddress("127.0.0.6", 0), 0);

    // app → reviews (its own service) → 15001 → the proxy (uid 1337) to its own pod IP over lo →
    // ISTIO_IN_REDIRECT → 15006 → passthrough from 127.0.0.6 → the app.
    assertThat(bash(app, PodUser.APP, "reviews", 9080)).isEqualTo("reviews saw 127.0.0.6 say hi");
    assertThat(outbound.accepted).hasSize(1);
    assertThat(outbound.accepted.getFirst().original()).isEqualTo(vip);
    assertThat(inbound.accepted).hasSize(1);
    assertThat(inbound.accepted.getFirst().original()).isEqualTo(self);
  }

  @Test
  void includeAndExcludeListsDecideWhatIsCaptured() throws Exception {
    apply(client, CaptureConfig.builder()
        .excludeOutboundCidrs(List.of(ip(app) + "/32"))
        .build());
    apply(app, CaptureConfig.builder().inboundPorts(PortSelection.of(9080)).build());
    var out = relay(client, 15001, false, Map.of(), null, 0);
    var in = relay(app, 15006, false, Map.of(), ch -> new InetSocketAddress("127.0.0.6", 0), 0);

    // The app's address is excluded outbound in the client pod; inbound only 9080 is captured.
    assertThat(bash(client, PodUser.APP, "app", 8080)).isEqualTo("unlisted saw " + ip(client) + " say hi");
    assertThat(bash(client, PodUser.APP, "app", 9080)).isEqualTo("reviews saw 127.0.0.6 say hi");
    assertThat(out.accepted).isEmpty();
    assertThat(in.accepted).extracting(CaptureRelay.Accepted::original)
        .containsExactly(new InetSocketAddress(app.address(), 9080));
  }

  @Test
  void tproxyModeKeepsTheCallersAddressAllTheWayToTheApp() throws Exception {
    apply(app, CaptureConfig.builder().mode(InterceptionMode.TPROXY).build());
    var relay = relay(app, 15006, true, Map.of(),
        ch -> new InetSocketAddress(((InetSocketAddress) ch.remoteAddress()).getAddress(), 0), 1337);

    assertThat(bash(client, PodUser.APP, "app", 8080)).isEqualTo("unlisted saw " + ip(client) + " say hi");
    assertThat(javaClient(client, PodUser.ROOT, new InetSocketAddress(app.address(), 9080)))
        .isEqualTo("reviews saw " + ip(client) + " say hi");

    // Two calls, two accepted connections: the relay's transparent upstream (uid 1337, over lo, to a
    // non-loopback address) was not sent back to 15006.
    assertThat(relay.accepted).hasSize(2);
    var a = relay.accepted.getFirst();
    assertThat(a.original()).isEqualTo(new InetSocketAddress(app.address(), 8080));
    assertThat(a.local()).isEqualTo(a.original());
    assertThat(a.remote().getAddress()).isEqualTo(client.address());
  }

  @Test
  void cleanupRemovesExactlyWhatWasAddedAndCanRepeat() throws Exception {
    var ns = CommandRunner.inNamespace(app.netns());
    // Rules that are not ours must survive.
    run(ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-p", "udp", "--dport", "5353", "-j", "RETURN");
    run(ns, "iptables", "-t", "mangle", "-A", "PREROUTING", "-p", "udp", "-j", "RETURN");
    var before = state(ns);

    var tproxy = CaptureConfig.builder().mode(InterceptionMode.TPROXY).build();
    apply(app, tproxy);
    apply(app, tproxy); // applying again replaces, never duplicates
    var during = state(ns);
    assertThat(during).contains("-A PREROUTING -p tcp -j ISTIO_INBOUND", "ISTIO_TPROXY", "fwmark 0x539 lookup 133",
        "local default dev lo");
    assertThat(during.split("-A PREROUTING -p tcp -j ISTIO_INBOUND", -1)).hasSize(2);

    var installer = CaptureInstaller.with(ns);
    assertThat(installer.cleanup(1337, 133)).isGreaterThan(0);
    assertThat(state(ns)).isEqualTo(before).doesNotContain("ISTIO", "lookup 133");
    assertThat(installer.cleanup(1337, 133)).isZero();
    assertThat(state(ns)).isEqualTo(before);

    run(ns, "iptables", "-t", "nat", "-D", "OUTPUT", "-p", "udp", "--dport", "5353", "-j", "RETURN");
    run(ns, "iptables", "-t", "mangle", "-D", "PREROUTING", "-p", "udp", "-j", "RETURN");
  }

  @Test
  void closingANetworkWithCaptureRulesLeavesNoNamespaceOrBridge() throws Exception {
    String bridge;
    List<String> names;
    try (var other = PodNetwork.create()) {
      var pod = other.addPod("lonely");
      apply(pod, CaptureConfig.builder().mode(InterceptionMode.TPROXY).build());
      pod.start(PodUser.PROXY, "sleep", "300");
      bridge = other.bridge();
      names = other.remaining();
      assertThat(names).contains(pod.netns(), bridge, pod.hostVeth());
      other.close();
      assertThat(other.remaining()).isEmpty();
    }
    var links = CommandRunner.local().run(List.of("ip", "-o", "link", "show"), "").stdout();
    var namespaces = CommandRunner.local().run(List.of("ip", "netns", "list"), "").stdout();
    for (var n : names) {
      assertThat(links).doesNotContain(n + ":", n + "@");
      assertThat(namespaces).doesNotContain(n);
    }
  }

  // --- helpers

  private static void apply(Pod pod, CaptureConfig config) throws Exception {
    CaptureInstaller.with(CommandRunner.inNamespace(pod.netns())).apply(CaptureRules.generate(config));
  }

  private CaptureRelay relay(Pod pod, int port, boolean transparent, Map<InetSocketAddress, InetSocketAddress> routes,
      java.util.function.Function<io.netty.channel.Channel, InetSocketAddress> source, int mark) throws Exception {
    var r = CaptureRelay.start(pod, group, port, transparent, routes, source, mark);
    relays.add(r);
    return r;
  }

  private static String ip(Pod pod) {
    return pod.address().getHostAddress();
  }

  /** bash's /dev/tcp as the given user inside the pod: send "hi", return the first line back. */
  private static String bash(Pod pod, PodUser user, String host, int port) {
    var r = pod.run(user, Duration.ofSeconds(20), "bash", "-c",
        "exec 3<>/dev/tcp/" + host + "/" + port + " && echo hi >&3 && head -n1 <&3");
    assertThat(r.stderr()).as("bash in %s as %s", pod, user).isEmpty();
    return r.stdout().strip();
  }

  /** A Java socket created in the pod by a thread with the user's filesystem uid. */
  private static String javaClient(Pod pod, PodUser user, InetSocketAddress target) throws Exception {
    return pod.call(user, () -> {
      try (var s = new Socket()) {
        s.connect(target, 5000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      }
    });
  }

  private static void run(CommandRunner ns, String... argv) throws Exception {
    var r = ns.run(List.of(argv), "");
    assertThat(r.ok()).as(String.join(" ", argv) + ": " + r.stderr()).isTrue();
  }

  /** nat and mangle rules (without counters or comments), policy rules and table 133. */
  private static String state(CommandRunner ns) throws Exception {
    var sb = new StringBuilder();
    for (var t : List.of("nat", "mangle")) {
      ns.run(List.of("iptables-save", "-t", t), "").stdout().lines()
          .filter(l -> !l.startsWith("#"))
          .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", ""))
          .forEach(l -> sb.append(l).append('\n'));
    }
    sb.append(ns.run(List.of("ip", "-4", "rule", "show"), "").stdout());
    sb.append(ns.run(List.of("ip", "-4", "route", "show", "table", "133"), "").stdout());
    return sb.toString();
  }

  /** A line server in a pod: answers "NAME saw PEER-IP say LINE" and closes. */
  private static final class AppServer implements AutoCloseable {
    private final ServerSocket socket;

    private AppServer(ServerSocket socket) {
      this.socket = socket;
    }

    static AppServer start(Pod pod, int port, String name) throws Exception {
      var ss = pod.call(PodUser.ROOT, () -> new ServerSocket(port, 16, InetAddress.getByName("0.0.0.0")));
      Thread.ofVirtual().start(() -> {
        while (!ss.isClosed()) {
          try {
            var s = ss.accept();
            Thread.ofVirtual().start(() -> {
              try (s) {
                s.setSoTimeout(10_000);
                var line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                var peer = ((InetSocketAddress) s.getRemoteSocketAddress()).getAddress().getHostAddress();
                s.getOutputStream().write((name + " saw " + peer + " say " + line + "\n").getBytes(StandardCharsets.UTF_8));
              } catch (Exception ignored) {
                // the test asserts on what the client received
              }
            });
          } catch (Exception e) {
            return;
          }
        }
      });
      return new AppServer(ss);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (Exception ignored) {
        // closing
      }
    }
  }
}
