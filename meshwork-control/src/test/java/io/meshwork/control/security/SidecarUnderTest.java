package io.meshwork.control.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.control.translate.Translator;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.client.NodeInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sidecar's inbound side, for real: Istio YAML goes through the control plane's translator, and
 * the {@code virtualInbound} filter chain of each app port is served by a real proxy on
 * {@code 127.0.0.2:PORT} (the same port as the app on {@code 127.0.0.1:PORT}, so
 * {@code destination.port} rules see the port they would see behind traffic capture). Only the
 * listener around each chain is made here: the proxy binds no {@code use_original_dst} listener.
 */
final class SidecarUnderTest implements AutoCloseable {
  static final String PROXY_IP = "127.0.0.2";
  final ProxyResources resources;
  final ProxyServer proxy;
  final ByteArrayOutputStream log = new ByteArrayOutputStream();

  SidecarUnderTest(String yaml, Map<String, Integer> appPorts) throws Exception {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.yaml(yaml));
    assertThat(r.errors()).isEmpty();
    var node = NodeInfo.sidecar("ratings-v1", "default", Map.of("app", "ratings"), "10.0.0.5", appPorts);
    resources = Translator.translate(MeshContext.of(store.snapshot(), true), node);
    var inbound = resources.listeners().get("virtualInbound");
    var clusters = new HashMap<String, ClusterConfig>();
    var listeners = new ArrayList<ListenerConfig>();
    for (var port : appPorts.values()) {
      var name = "inbound|" + port + "||";
      clusters.put(name, ProxyConfigBuilder.cluster(resources.clusters().get(name), "clusters[" + name + "]"));
      var chain = inbound.getFilterChainsList().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
      var l = Listener.newBuilder().setName(name).setAddress(Address.newBuilder().setSocketAddress(
          SocketAddress.newBuilder().setAddress(PROXY_IP).setPortValue(port))).addFilterChains(chain.toBuilder().clearFilterChainMatch())
          .build();
      listeners.add(ProxyConfigBuilder.listener(l, "listeners[" + name + "]", clusters.keySet(), Map.of()));
    }
    var config = new ProxyConfig(1, "test", null, List.copyOf(listeners), Map.copyOf(clusters), Map.of());
    proxy = ProxyServer.start(config, 1, new PrintStream(log, true, StandardCharsets.UTF_8));
  }

  long counter(String name) {
    return proxy.stats().value(name);
  }

  @Override
  public void close() {
    proxy.close();
  }
}
