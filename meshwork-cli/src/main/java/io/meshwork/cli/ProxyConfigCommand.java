package io.meshwork.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.codec.ConfigLoader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code meshwork proxy-config listeners|routes|clusters|endpoints PROXY}: what the control plane
 * serves one proxy, as tables with istioctl's columns, or the full resources with {@code -o json}.
 * {@code secret} reads the proxy's own admin interface instead ({@link ProxySecrets}): the
 * certificates live in the proxy only.
 */
@Command(name = "proxy-config", mixinStandardHelpOptions = true, description = "Show the xDS resources the control plane serves a proxy.")
public final class ProxyConfigCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TYPE", description = "listeners, routes, clusters, endpoints or secret")
  String type;

  @Parameters(index = "1", paramLabel = "PROXY", description = "Proxy id (or a unique part of it, or WORKLOAD.NAMESPACE); see proxy-status.")
  String proxy;

  @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text (table) or json.")
  OutputFormat output;

  @Option(names = "--control-plane", defaultValue = ControlPlaneClient.DEFAULT, description = "Control plane REST address (default ${DEFAULT-VALUE}).")
  String controlPlane;

  @Option(names = "--admin", description = "The proxy's admin address HOST:PORT, for secret (default: the one it reported to the control plane).")
  String admin;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    var key = switch (type) {
      case "listeners", "listener", "l" -> "listeners";
      case "routes", "route", "r" -> "routes";
      case "clusters", "cluster", "c" -> "clusters";
      case "endpoints", "endpoint", "ep" -> "endpoints";
      case "secret", "secrets", "s" -> "secret";
      default -> throw new UserException(2, "unknown proxy-config type \"" + type + "\"; use listeners, routes, clusters, endpoints or secret");
    };
    if (key.equals("secret")) {
      return secrets();
    }
    var dump = new ControlPlaneClient(controlPlane).require("/debug/config_dump?proxy=" + URLEncoder.encode(proxy, StandardCharsets.UTF_8));
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.text) {
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(dump.path(key)));
      return 0;
    }
    var rows = new ArrayList<List<String>>();
    switch (key) {
      case "clusters" -> {
        rows.add(List.of("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE"));
        for (var c : dump.path(key)) {
          var p = c.path("name").asText().split("\\|", -1);
          rows.add(p.length == 4 ? List.of(p[3], p[1], p[2].isEmpty() ? "-" : p[2], p[0], c.path("type").asText("EDS"))
              : List.of(c.path("name").asText(), "-", "-", "-", c.path("type").asText("EDS")));
        }
      }
      case "listeners" -> {
        rows.add(List.of("NAME", "ADDRESS", "PORT", "DESTINATION"));
        for (var l : dump.path(key)) {
          var sa = l.path("address").path("socketAddress");
          rows.add(List.of(l.path("name").asText(), sa.path("address").asText("-"), sa.path("portValue").asText("-"), destination(l)));
        }
      }
      case "routes" -> {
        rows.add(List.of("NAME", "VIRTUAL HOST", "DOMAINS", "MATCH", "ACTION"));
        for (var rc : dump.path(key)) {
          for (var vh : rc.path("virtualHosts")) {
            var domains = vh.path("domains").size() > 0 ? vh.path("domains").get(0).asText() + (vh.path("domains").size() > 1 ? " +" + (vh.path("domains").size() - 1) : "") : "";
            for (var r : vh.path("routes")) {
              rows.add(List.of(rc.path("name").asText(), vh.path("name").asText(), domains, match(r.path("match")), action(r)));
            }
          }
        }
      }
      default -> {
        rows.add(List.of("ENDPOINT", "WEIGHT", "CLUSTER"));
        for (var cla : dump.path(key)) {
          for (var loc : cla.path("endpoints")) {
            for (var e : loc.path("lbEndpoints")) {
              var sa = e.path("endpoint").path("address").path("socketAddress");
              rows.add(List.of(sa.path("address").asText() + ":" + sa.path("portValue").asText(), e.path("loadBalancingWeight").asText("1"),
                  cla.path("clusterName").asText()));
            }
          }
        }
      }
    }
    Tables.print(out, rows);
    return 0;
  }

  private int secrets() throws Exception {
    var address = admin != null ? admin : ProxySecrets.adminAddress(new ControlPlaneClient(controlPlane), proxy);
    var dump = new ProxySecrets().fetch(address);
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.text) {
      out.println(ConfigLoader.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(dump));
    } else {
      Tables.print(out, ProxySecrets.table(dump, java.time.Instant.now()));
    }
    return 0;
  }

  private static String destination(JsonNode l) {
    if (l.has("apiListener")) {
      return "Route: " + l.path("apiListener").path("apiListener").path("rds").path("routeConfigName").asText();
    }
    var f = l.path("filterChains").path(0).path("filters").path(0).path("typedConfig");
    if (f.has("rds")) {
      return "Route: " + f.path("rds").path("routeConfigName").asText();
    }
    if (f.has("routeConfig")) {
      return "Inline route: " + f.path("routeConfig").path("name").asText() + (l.path("filterChains").size() > 1 ? " (+" + (l.path("filterChains").size() - 1) + " chains)" : "");
    }
    if (f.has("cluster")) {
      return "Cluster: " + f.path("cluster").asText();
    }
    return f.has("weightedClusters") ? "Weighted clusters" : "-";
  }

  private static String match(JsonNode m) {
    var s = m.has("path") ? m.path("path").asText() : m.has("prefix") ? m.path("prefix").asText() + "*" : m.has("safeRegex") ? m.path("safeRegex").path("regex").asText() : "/*";
    if (m.path("headers").size() > 0) {
      s += " +" + m.path("headers").size() + " header(s)";
    }
    return s;
  }

  private static String action(JsonNode r) {
    if (r.has("directResponse")) {
      return "direct " + r.path("directResponse").path("status").asText();
    }
    if (r.has("redirect")) {
      return "redirect";
    }
    var a = r.path("route");
    if (a.has("cluster")) {
      return a.path("cluster").asText();
    }
    var parts = new ArrayList<String>();
    a.path("weightedClusters").path("clusters").forEach(c -> parts.add(c.path("name").asText() + " " + c.path("weight").asText() + "%"));
    return String.join(", ", parts);
  }
}
