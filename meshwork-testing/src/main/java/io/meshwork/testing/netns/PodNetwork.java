package io.meshwork.testing.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A bridge with pods on it, like a Kubernetes node's pod network, for tests and demos that need
 * real transparent interception.
 *
 * <p>Addresses come only from 198.18.0.0/15: the network takes a free {@code /24} index {@code N}
 * (one not already on a host interface); the bridge is {@code 198.18.N.1}, pods are {@code
 * 198.18.N.2} upwards, and service (virtual, ClusterIP-like) addresses are {@code 198.19.N.10}
 * upwards. Service addresses belong to no interface: only capture rules make them reachable, as
 * ClusterIPs without kube-proxy.
 *
 * <p>Every name is {@code mw-PID-SEQ-...}, with {@code PID} the owning process id in base 36 and
 * {@code SEQ} the network's number in that process (interface names have 15 characters at most):
 * the bridge {@code mw-PID-SEQ-br}, a pod's namespace {@code mw-PID-SEQ-POD}, its host-side veth
 * {@code mw-PID-SEQ-K}. {@link
 * #create()} first removes whatever belongs to processes that no longer run (a crashed test JVM),
 * and {@link #close()} removes this network's objects: processes left in the namespaces are
 * killed, then veths, namespaces, {@code /etc/netns} directories and the bridge are deleted.
 */
public final class PodNetwork implements AutoCloseable {
  public static final String PREFIX = "mw-";
  private static final Pattern OURS = Pattern.compile("mw-([0-9a-z]{1,6})-[0-9]{1,2}-[0-9a-z-]+");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Pattern POD_NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");
  private static final Path ETC_NETNS = Path.of("/etc/netns");

  private final String id;
  private final int subnet;
  private final String bridge;
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Map<String, Inet4Address> services = new LinkedHashMap<>();
  private boolean closed;

  private PodNetwork(String id, int subnet) {
    this.id = id;
    this.subnet = subnet;
    this.bridge = PREFIX + id + "-br";
  }

  /**
   * Why pods cannot be created here, or empty when they can: tests pass this to {@code
   * assumeTrue} so that they skip with the reason.
   */
  public static Optional<String> unavailable() {
    try {
      var uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (uid != 0) {
        return Optional.of("network namespaces need root (running as uid " + uid + ")");
      }
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.of("not Linux (/proc/self unreadable): " + e.getMessage());
    }
    try {
      var r = Commands.run("ip", "netns", "list");
      if (!r.ok()) {
        return Optional.of("'ip netns list' failed: " + r.stderr().strip());
      }
      if (!Commands.run("setpriv", "--version").ok()) {
        return Optional.of("setpriv (util-linux) is missing");
      }
    } catch (RuntimeException e) {
      return Optional.of("iproute2 is not usable: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** Removes stale objects, then creates an empty network with its bridge up. */
  public static PodNetwork create() {
    cleanStale();
    int seq = SEQUENCE.getAndIncrement() % 100;
    String id = Long.toString(ProcessHandle.current().pid(), 36) + "-" + seq;
    var net = new PodNetwork(id, freeSubnet());
    try {
      Commands.check("ip", "link", "add", net.bridge, "type", "bridge");
      Commands.check("ip", "addr", "add", net.gateway().getHostAddress() + "/24", "dev", net.bridge);
      Commands.check("ip", "link", "set", net.bridge, "up");
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  /** This network's id: the owner's pid in base 36, '-', its sequence number in that process. */
  public String id() {
    return id;
  }

  public String bridge() {
    return bridge;
  }

  /** The bridge's address, every pod's default gateway. */
  public Inet4Address gateway() {
    return v4(198, 18, subnet, 1);
  }

  /** Creates a pod: namespace, veth pair to the bridge, address, routes, {@code /etc/hosts}. */
  public synchronized Pod addPod(String name) {
    if (!POD_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("pod name '" + name + "' must be lower-case letters, digits and '-', starting with a letter");
    }
    if (pods.containsKey(name) || services.containsKey(name)) {
      throw new IllegalArgumentException("pod name '" + name + "' is already used in this network");
    }
    int index = pods.size() + 2;
    if (index > 100) {
      throw new IllegalStateException("a pod network holds at most 99 pods");
    }
    var ns = PREFIX + id + "-" + name;
    var veth = PREFIX + id + "-" + (index - 1);
    var pod = new Pod(name, ns, veth, v4(198, 18, subnet, index));
    pods.put(name, pod);
    Commands.check("ip", "netns", "add", ns);
    Commands.check("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    Commands.check("ip", "link", "set", veth, "master", bridge, "up");
    Commands.check("ip", "-n", ns, "addr", "add", pod.address().getHostAddress() + "/24", "dev", "eth0");
    Commands.check("ip", "-n", ns, "link", "set", "eth0", "up");
    Commands.check("ip", "-n", ns, "link", "set", "lo", "up");
    Commands.check("ip", "-n", ns, "route", "add", "default", "via", gateway().getHostAddress());
    writeHosts();
    return pod;
  }

  /**
   * Gives a service a virtual address (like a ClusterIP) and its name in every pod's {@code
   * /etc/hosts}.
   */
  public synchronized Inet4Address addService(String name) {
    if (!POD_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("service name '" + name + "' must be lower-case letters, digits and '-'");
    }
    if (pods.containsKey(name) || services.containsKey(name)) {
      throw new IllegalArgumentException("service name '" + name + "' is already used in this network");
    }
    var vip = v4(198, 19, subnet, services.size() + 10);
    services.put(name, vip);
    writeHosts();
    return vip;
  }

  /** The virtual address of a service added with {@link #addService}. */
  public synchronized Inet4Address service(String name) {
    var vip = services.get(name);
    if (vip == null) {
      throw new IllegalArgumentException("no service '" + name + "' in this network; add it with addService");
    }
    return vip;
  }

  public synchronized List<Pod> pods() {
    return List.copyOf(pods.values());
  }

  /** Names of namespaces and links on this host that belong to this network (empty after close). */
  public List<String> remaining() {
    return names().stream().filter(n -> n.startsWith(PREFIX + id + "-")).toList();
  }

  private void writeHosts() {
    var sb = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    pods.values().forEach(p -> sb.append(p.address().getHostAddress()).append('\t').append(p.name()).append('\n'));
    services.forEach((n, a) -> sb.append(a.getHostAddress()).append('\t').append(n).append('\n'));
    for (var p : pods.values()) {
      try {
        Files.createDirectories(p.hostsFile().getParent());
        Files.writeString(p.hostsFile(), sb.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + p.hostsFile(), e);
      }
    }
  }

  /** Removes this network's pods (killing what still runs in them) and the bridge. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (var p : pods.values()) {
      removeNamespace(p.netns());
      Commands.run("ip", "link", "del", p.hostVeth());
    }
    Commands.run("ip", "link", "del", bridge);
  }

  /**
   * Removes namespaces, links and {@code /etc/netns} directories named {@code mw-PID-SEQ-...} whose
   * owning process ({@code PID} in base 36) is gone.
   *
   * @return the names removed
   */
  public static List<String> cleanStale() {
    var removed = new ArrayList<String>();
    for (var ns : namespaces()) {
      if (stale(ns)) {
        removeNamespace(ns);
        removed.add(ns);
      }
    }
    for (var link : links()) {
      if (stale(link) && Commands.run("ip", "link", "del", link).ok()) {
        removed.add(link);
      }
    }
    try (Stream<Path> dirs = Files.isDirectory(ETC_NETNS) ? Files.list(ETC_NETNS) : Stream.empty()) {
      for (var d : dirs.toList()) {
        if (stale(d.getFileName().toString())) {
          deleteTree(d);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean " + ETC_NETNS, e);
    }
    return removed;
  }

  private static boolean stale(String name) {
    var m = OURS.matcher(name);
    if (!m.matches()) {
      return false;
    }
    long pid;
    try {
      pid = Long.parseLong(m.group(1), 36);
    } catch (NumberFormatException e) {
      return false;
    }
    return ProcessHandle.of(pid).map(ph -> !ph.isAlive()).orElse(true);
  }

  private static void removeNamespace(String ns) {
    var pids = Commands.run("ip", "netns", "pids", ns);
    if (pids.ok()) {
      for (var pid : pids.stdout().split("\\s+")) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    Commands.run("ip", "netns", "del", ns);
    deleteTree(ETC_NETNS.resolve(ns));
  }

  private static List<String> names() {
    var all = new ArrayList<>(namespaces());
    all.addAll(links());
    return all;
  }

  private static List<String> namespaces() {
    return Commands.run("ip", "netns", "list").stdout().lines()
        .map(l -> l.split("\\s+")[0]).filter(n -> n.startsWith(PREFIX)).toList();
  }

  private static List<String> links() {
    // "7: mw-2x9k-br: <...>" or "8: mw-2x9k-2@if3: <...>"
    return Commands.run("ip", "-o", "link", "show").stdout().lines()
        .map(l -> l.split(":\\s+", 3))
        .filter(parts -> parts.length >= 2)
        .map(parts -> parts[1].split("@")[0])
        .filter(n -> n.startsWith(PREFIX)).toList();
  }

  private static int freeSubnet() {
    var used = new ArrayList<Integer>();
    var m = Pattern.compile("inet 198\\.18\\.(\\d+)\\.").matcher(Commands.run("ip", "-o", "-4", "addr", "show").stdout());
    while (m.find()) {
      used.add(Integer.parseInt(m.group(1)));
    }
    for (int n = 0; n < 256; n++) {
      if (!used.contains(n)) {
        return n;
      }
    }
    throw new IllegalStateException("all 256 pod subnets in 198.18.0.0/16 are in use on this host");
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (var f : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }

  private static Inet4Address v4(int a, int b, int c, int d) {
    try {
      return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
