package io.meshwork.cli.transparent;

import io.meshwork.proxy.ProxyStartException;
import io.meshwork.proxy.capture.CaptureConfig;
import io.meshwork.proxy.capture.CaptureInstaller;
import io.meshwork.proxy.capture.CaptureRules;
import io.meshwork.proxy.capture.CommandRunner;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.mtls.WorkloadAgent;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.xds.client.NodeInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

/**
 * A workload's sidecar in capture mode, in its pod: {@link #start} applies Istio's capture rules in
 * the pod's network namespace (REDIRECT or TPROXY) and starts a proxy whose event loops live in the
 * pod as uid 1337 (so its own connections are never captured), with the node registered at the
 * pod's address and {@code INTERCEPTION_MODE} metadata. The xDS and certificate clients stay in the
 * caller's namespace (the control plane is reached on its own address, e.g. 127.0.0.1), and so does
 * the admin endpoint. {@link #close} stops the proxy and removes the rules; closing the
 * {@code PodNetwork} then removes the namespace.
 */
public final class CapturedSidecar implements AutoCloseable {
  private final String netns;
  private final CaptureConfig rules;
  private final XdsProxy proxy;

  private CapturedSidecar(String netns, CaptureConfig rules, XdsProxy proxy) {
    this.netns = netns;
    this.rules = rules;
    this.proxy = proxy;
  }

  /**
   * Starts the sidecar of {@code workload} in the pod whose namespace is {@code netns}.
   *
   * @param podAddress the pod's address (the workload's endpoint)
   * @param proxyThreads threads that enter the pod's namespace with filesystem uid/gid 1337 before
   *     running ({@code Pod.threadFactory(PodUser.PROXY)} in {@code io.meshwork.testing.netns})
   * @param xdsTarget the control plane's xDS address ({@code host:port}, reachable from the caller)
   * @param appPorts the app's ports by name ({@code http: 9080}); the app listens in the pod on 0.0.0.0 or 127.0.0.1
   * @param identity the workload certificate agent's options, or null for plaintext only
   * @param admin the admin address (in the caller's namespace), or null for none
   */
  public static CapturedSidecar start(String netns, java.net.InetAddress podAddress,
      java.util.concurrent.ThreadFactory proxyThreads, InterceptionMode mode, String xdsTarget, String workload, String namespace,
      Map<String, String> labels, String serviceAccount, Map<String, Integer> appPorts, WorkloadAgent.Options identity,
      InetSocketAddress admin, PrintStream log) throws IOException, ProxyStartException {
    var rules = CaptureConfig.builder().mode(mode).build();
    var installer = CaptureInstaller.with(CommandRunner.inNamespace(netns));
    installer.apply(CaptureRules.generate(rules));
    try {
      var node = NodeInfo.sidecar(workload, namespace, labels, podAddress.getHostAddress(), appPorts)
          .withServiceAccount(serviceAccount);
      var proxy = XdsProxy.start(xdsTarget, node, admin, null, 1, log, log, identity,
          new XdsProxy.Capture(mode, proxyThreads));
      return new CapturedSidecar(netns, rules, proxy);
    } catch (ProxyStartException | RuntimeException e) {
      installer.cleanup(rules.mark(), rules.routeTable());
      throw e;
    }
  }

  /** Waits for the first configuration from the control plane; false on timeout. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return proxy.awaitFirstConfig(timeout);
  }

  public XdsProxy proxy() {
    return proxy;
  }

  public String netns() {
    return netns;
  }

  /** Stops the proxy, then removes the capture rules from the pod. */
  @Override
  public void close() throws IOException {
    proxy.close();
    CaptureInstaller.with(CommandRunner.inNamespace(netns)).cleanup(rules.mark(), rules.routeTable());
  }
}
