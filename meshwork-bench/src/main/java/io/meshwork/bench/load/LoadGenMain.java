package io.meshwork.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;

/**
 * The load generator's process: {@code --host H --port P [--protocol http1|h2c|grpc] [--path /echo]
 * [--connections 16] [--threads N] [--payload 1024] --phase NAME:RATE:WARMUP_MS:DURATION_MS[:MAX] ...}. It prints one
 * JSON document on standard output and {@code @begin}/{@code @end} events on standard error. Exit
 * code 2 for bad arguments.
 */
public final class LoadGenMain {
  private LoadGenMain() {}

  public static void main(String[] argv) throws Exception {
    LoadOptions options;
    try {
      var a = new Args(argv);
      var phases = new ArrayList<Phase>();
      for (var p : a.all("phase")) {
        phases.add(Phase.parse(p));
      }
      int connections = a.getInt("connections", 16);
      var protocol = Protocol.parse(a.get("protocol", "http1"));
      options = new LoadOptions(a.get("host", "127.0.0.1"), a.getInt("port", 0), a.get("path", protocol.defaultPath()), connections,
          a.getInt("threads", Math.min(connections, Runtime.getRuntime().availableProcessors())), a.getInt("payload", 1024),
          phases, protocol);
      if (options.port() <= 0) {
        throw new IllegalArgumentException("--port is required");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("meshwork-load: " + e.getMessage());
      System.exit(2);
      return;
    }
    try (var gen = new LoadGenerator(options)) {
      var results = gen.run(System.err);
      System.out.println(toJson(options, gen.transport(), results));
    }
    System.exit(0);
  }

  static String toJson(LoadOptions o, String transport, java.util.List<PhaseResult> results) throws Exception {
    var mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("target", "http://" + o.host() + ":" + o.port() + o.path());
    root.put("protocol", o.protocol().id());
    root.put("connections", o.connections());
    root.put("threads", o.threads());
    root.put("payloadBytes", o.payloadBytes());
    root.put("transport", transport);
    root.set("phases", mapper.valueToTree(results));
    return mapper.writeValueAsString(root);
  }
}
