package io.meshwork.control.registry;

import io.meshwork.config.ResourceKey;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.SourceDocument;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Istio's WorkloadGroup auto-registration, for every proxy that names its workload: a connected
 * proxy becomes a WorkloadEntry in the store ({@code NAME-IP}, annotated with the proxy id); when
 * its last stream closes the entry is deleted after a grace period, unless it reconnects first.
 * The entry goes through the same validation as written config.
 */
public final class AutoRegistration {
  private static final Logger LOG = Logger.getLogger(AutoRegistration.class.getName());
  public static final String ANNOTATION = "meshwork.io/auto-registered";

  private final ConfigStore store;
  private final Duration grace;
  private final ScheduledExecutorService timer;
  private final Map<ResourceKey, Integer> streams = new HashMap<>();
  private final Map<ResourceKey, ScheduledFuture<?>> removals = new HashMap<>();

  public AutoRegistration(ConfigStore store, Duration grace, ScheduledExecutorService timer) {
    this.store = store;
    this.grace = grace;
    this.timer = timer;
  }

  /** Registers the proxy's workload; returns its key, or null when the node names no workload or address. */
  public ResourceKey connected(NodeInfo node) {
    if (node.workloadName().isEmpty() || node.ips().isEmpty() || node.isProxylessGrpc() || node.isGateway()) {
      return null;
    }
    var ip = node.ips().getFirst();
    if (isKubernetesPod(node.namespace(), ip)) {
      return null; // Kubernetes mode: the Pod (from the informers) already stands for this workload
    }
    var name = (node.workloadName() + "-" + ip.replace('.', '-').replace(':', '-')).toLowerCase(java.util.Locale.ROOT);
    var json = ConfigLoader.JSON.createObjectNode();
    json.put("apiVersion", "networking.istio.io/v1");
    json.put("kind", "WorkloadEntry");
    var md = json.putObject("metadata");
    md.put("name", name);
    md.put("namespace", node.namespace());
    md.putObject("annotations").put(ANNOTATION, node.id());
    var spec = json.putObject("spec");
    spec.put("address", ip);
    spec.put("serviceAccount", node.serviceAccount());
    var labels = spec.putObject("labels");
    node.labels().forEach(labels::put);
    if (!node.inboundPorts().isEmpty() || node.isCaptured()) {
      // Istio's marker for "this workload has a sidecar that terminates mTLS", plus where (local
      // mode has no capture: the sidecar listens on its own port next to the app's; a captured pod's
      // sidecar takes the app's own ports, so no inbound port label).
      labels.put(MeshTlsLabels.TLS_MODE, MeshTlsLabels.ISTIO);
      node.inboundPorts().forEach((portName, inbound) -> {
        var app = node.appPorts().get(portName);
        if (app != null) {
          labels.put(MeshTlsLabels.INBOUND_PREFIX + app, Integer.toString(inbound));
        }
      });
    }
    var ports = spec.putObject("ports");
    node.appPorts().forEach(ports::put);
    var doc = ConfigLoader.create().loadTree(new SourceDocument("proxy " + node.id(), 0, 1, ""), json);
    if (!doc.valid()) {
      LOG.warning("proxy " + node.id() + " cannot be registered: " + String.join("; ", doc.errors()));
      return null;
    }
    var key = doc.resource().key();
    synchronized (this) {
      streams.merge(key, 1, Integer::sum);
      var pending = removals.remove(key);
      if (pending != null) {
        pending.cancel(false);
      }
    }
    store.put("auto:" + node.id(), List.of(doc.resource()));
    return key;
  }

  private boolean isKubernetesPod(String namespace, String ip) {
    for (var p : store.snapshot().specs("", "Pod", io.meshwork.config.kube.Pod.class)) {
      var status = p.spec().status();
      if (p.namespace().equals(namespace) && status != null && ip.equals(status.podIP())) {
        return true;
      }
    }
    return false;
  }

  /** Called when a stream of a registered proxy closes. */
  public synchronized void disconnected(ResourceKey key) {
    if (key == null) {
      return;
    }
    int left = streams.merge(key, -1, Integer::sum);
    if (left > 0) {
      return;
    }
    streams.remove(key);
    try {
      removals.put(key, timer.schedule(() -> remove(key), grace.toMillis(), TimeUnit.MILLISECONDS));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the control plane is shutting down
    }
  }

  private void remove(ResourceKey key) {
    synchronized (this) {
      if (streams.containsKey(key)) {
        return;
      }
      removals.remove(key);
    }
    store.delete(List.of(key));
    LOG.info("unregistered " + key + " (its proxy stayed disconnected for " + grace.toSeconds() + " s)");
  }
}
