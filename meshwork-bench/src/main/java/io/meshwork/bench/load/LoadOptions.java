package io.meshwork.bench.load;

import java.util.List;

/**
 * A load run: the target, the connections and threads, the request body size (0 sends GET, more
 * sends POST with that many bytes; gRPC always POSTs one message of that size), the phases run one
 * after the other on fresh connections, and the protocol spoken.
 */
public record LoadOptions(String host, int port, String path, int connections, int threads, int payloadBytes, List<Phase> phases,
    Protocol protocol) {
  public LoadOptions {
    if (connections < 1 || threads < 1 || payloadBytes < 0 || phases.isEmpty()) {
      throw new IllegalArgumentException("need at least one connection, one thread, one phase and a payload size >= 0");
    }
    phases = List.copyOf(phases);
    if (protocol == null) {
      protocol = Protocol.HTTP1;
    }
  }

  /** An HTTP/1.1 run. */
  public LoadOptions(String host, int port, String path, int connections, int threads, int payloadBytes, List<Phase> phases) {
    this(host, port, path, connections, threads, payloadBytes, phases, Protocol.HTTP1);
  }
}
