package io.meshwork.xds.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SDS secrets a set of listeners needs from the control plane: every secret their downstream TLS
 * contexts name (certificate and validation context) except {@code default} and {@code ROOTCA},
 * which the proxy's own agent serves (Istio's split between istio-agent and istiod).
 */
public final class SdsNames {
  /** The secrets the local agent serves, never asked of the control plane. */
  public static final Set<String> LOCAL = Set.of("default", "ROOTCA");

  private SdsNames() {}

  static Set<String> of(Map<String, Message> listeners) {
    var out = new TreeSet<String>();
    for (var m : listeners.values()) {
      out.addAll(of((Listener) m));
    }
    return out;
  }

  /** The control-plane secrets one listener's chains name. */
  public static Set<String> of(Listener l) {
    var out = new TreeSet<String>();
    var chains = new ArrayList<FilterChain>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    for (var c : chains) {
      if (!c.hasTransportSocket() || !c.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
        continue;
      }
      try {
        add(c.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class).getCommonTlsContext(), out);
      } catch (InvalidProtocolBufferException e) {
        // the listener is rejected by the proxy with its path; it needs nothing
      }
    }
    return out;
  }

  private static void add(CommonTlsContext common, Collection<String> out) {
    var all = new ArrayList<String>();
    common.getTlsCertificateSdsSecretConfigsList().forEach(s -> all.add(s.getName()));
    if (common.hasValidationContextSdsSecretConfig()) {
      all.add(common.getValidationContextSdsSecretConfig().getName());
    }
    if (common.hasCombinedValidationContext()) {
      all.add(common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName());
    }
    for (var n : all) {
      if (!n.isEmpty() && !LOCAL.contains(n)) {
        out.add(n);
      }
    }
  }
}
