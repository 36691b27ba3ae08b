package io.meshwork.testing.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One workload's network namespace: {@code eth0} on the network's bridge with one address, {@code
 * lo} up, a default route via the bridge, and {@code /etc/netns/NAME/hosts} (which {@code ip netns
 * exec} mounts over {@code /etc/hosts}) naming every pod and service. Created by {@link
 * PodNetwork#addPod}; removed with the network.
 */
public final class Pod {
  private final String name;
  private final String netns;
  private final String hostVeth;
  private final Inet4Address address;

  Pod(String name, String netns, String hostVeth, Inet4Address address) {
    this.name = name;
    this.netns = netns;
    this.hostVeth = hostVeth;
    this.address = address;
  }

  /** The workload name (also its host name in every pod's {@code /etc/hosts}). */
  public String name() {
    return name;
  }

  /** The network namespace's name, for {@code ip netns exec}. */
  public String netns() {
    return netns;
  }

  /** The host side of the veth pair (on the bridge). */
  public String hostVeth() {
    return hostVeth;
  }

  /** The pod's address on {@code eth0}. */
  public Inet4Address address() {
    return address;
  }

  /** {@code /etc/netns/NAME/hosts}. */
  public Path hostsFile() {
    return Path.of("/etc/netns", netns, "hosts");
  }

  /**
   * The command line that runs {@code command} in this pod as {@code user}: {@code ip netns exec},
   * then {@code setpriv} with the user's uid, gid and no supplementary groups (nothing for root).
   */
  public List<String> commandLine(PodUser user, String... command) {
    var argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    if (!user.equals(PodUser.ROOT)) {
      argv.addAll(List.of("setpriv", "--reuid=" + user.uid(), "--regid=" + user.gid(), "--clear-groups", "--"));
    }
    argv.addAll(List.of(command));
    return argv;
  }

  /** Starts a long-running command in the pod; the caller owns the process (close kills leftovers). */
  public Process start(PodUser user, String... command) {
    try {
      return new ProcessBuilder(commandLine(user, command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command[0] + " in pod " + name, e);
    }
  }

  /** Runs a command in the pod and waits for it (at most {@code timeout}). */
  public ExecResult run(PodUser user, Duration timeout, String... command) {
    return Commands.run(commandLine(user, command), "", timeout).toExec();
  }

  /** Runs a command as root in the pod with {@code stdin} as its input (e.g. iptables-restore). */
  public ExecResult runWithInput(String stdin, String... command) {
    return Commands.run(commandLine(PodUser.ROOT, command), stdin, Duration.ofSeconds(30)).toExec();
  }

  /**
   * Runs {@code task} on a fresh thread inside this pod's namespace whose filesystem ids are {@code
   * user}'s: sockets the task creates (a Netty channel's constructor opens one) live in the pod and
   * belong to that user, as if a process running as that user had opened them.
   */
  public <T> T call(PodUser user, Callable<T> task) throws Exception {
    var future = new FutureTask<T>(() -> {
      Netns.enter(netns);
      if (!user.equals(PodUser.ROOT)) {
        Netns.setFsIds(user);
      }
      return task.call();
    });
    var t = new Thread(future, "pod-" + name + "-call");
    t.setDaemon(true);
    t.start();
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      t.interrupt();
      throw new IllegalStateException("task in pod " + name + " did not finish within 30 s", e);
    }
  }

  /**
   * Threads that enter this pod's namespace before running anything, as root: give it to an event
   * loop group so that its listeners and outbound connections live in the pod. Sockets keep the
   * namespace alive, so close them (shut the group down) before closing the network.
   */
  public ThreadFactory threadFactory() {
    return threadFactory(PodUser.ROOT);
  }

  /**
   * As {@link #threadFactory()}, with {@code user}'s filesystem ids: a proxy's event loops given
   * {@link PodUser#PROXY} open sockets that the capture rules see as uid 1337 (never captured), as
   * a sidecar running as uid 1337 would.
   */
  public ThreadFactory threadFactory(PodUser user) {
    var n = new AtomicInteger();
    return r -> {
      var t = new Thread(() -> {
        Netns.enter(netns);
        if (!user.equals(PodUser.ROOT)) {
          Netns.setFsIds(user);
        }
        r.run();
      }, "pod-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String toString() {
    return name + "(" + netns + ", " + address.getHostAddress() + ")";
  }
}
