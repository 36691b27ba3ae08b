package io.meshwork.config.analysis;

import io.meshwork.config.kube.KubeKinds;
import io.meshwork.config.kube.ServiceSpec;
import java.util.Set;

/**
 * Service port names tell the mesh the protocol ({@code http}, {@code http-web}, {@code grpc},
 * {@code tcp-db}, ...) unless {@code appProtocol} says it. A port named otherwise is treated as
 * TCP after protocol sniffing, and gets no HTTP routing, retries or metrics by route.
 */
final class PortNameAnalyzer implements Analyzer {
  static final Set<String> PROTOCOLS = Set.of("http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "udp", "mongo", "mysql", "redis");

  @Override
  public void analyze(MeshIndex index, Findings out) {
    for (var r : index.resources()) {
      if (r.kind() != KubeKinds.SERVICE) {
        continue;
      }
      var ports = r.spec(ServiceSpec.class).ports();
      for (int i = 0; i < ports.size(); i++) {
        var p = ports.get(i);
        if (p.appProtocol() != null && !p.appProtocol().isEmpty()) {
          continue;
        }
        if (!follows(p.name())) {
          out.add(Code.PORT_NAME_CONVENTION, r, "spec.ports[" + i + "].name",
              "port " + p.port() + (p.name() == null ? " has no name" : " is named " + p.name())
                  + ", which does not say its protocol; name it <protocol>[-suffix] (e.g. http-web, tcp-db) or set appProtocol");
        }
      }
    }
  }

  static boolean follows(String name) {
    if (name == null) {
      return false;
    }
    var n = name.toLowerCase(java.util.Locale.ROOT);
    for (var p : PROTOCOLS) {
      if (n.equals(p) || n.startsWith(p + "-")) {
        return true;
      }
    }
    return false;
  }
}
