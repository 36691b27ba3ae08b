package io.meshwork.console.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.ResourceKey;
import io.meshwork.config.analysis.Analysis;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.console.http.Exchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console's config endpoints, all computed from the control plane:
 * <ul>
 *   <li>{@code GET /api/istio/validations?namespaces=} — Kiali's per-namespace summary</li>
 *   <li>{@code GET /api/console/config?namespaces=} — every resource with its Kiali-shaped validation</li>
 *   <li>{@code POST /api/console/config/validate} — YAML in, the analyzer's checks for those documents
 *       as if applied on top of the current config (nothing is written)</li>
 *   <li>{@code POST /api/console/config/apply}, {@code /delete} — through the control plane's batch API</li>
 *   <li>{@code GET /api/console/services?namespace=}, {@code /workloads} — from the registry, with
 *       versions, related VirtualService/DestinationRule and the worst validation severity</li>
 *   <li>{@code POST /api/console/wizard/traffic-shifting|fault-injection[?apply=true]} — JSON in,
 *       YAML preview out; with {@code apply=true} applied in one batch</li>
 *   <li>{@code GET /api/console/proxies} — the control plane's {@code /debug/proxies} (sync state)</li>
 * </ul>
 * Without {@code --control-plane} these answer 503 with one sentence saying how to enable them.
 */
public final class ControlApi {
  private final MeshConfigSource source;

  /** {@code source} null: no control plane configured. */
  public ControlApi(MeshConfigSource source) {
    this.source = source;
  }

  public boolean handle(Exchange ex) throws IOException {
    String p = ex.path();
    if (!p.equals("/api/istio/validations") && !p.startsWith("/api/console/config") && !p.startsWith("/api/console/services")
        && !p.startsWith("/api/console/workloads") && !p.startsWith("/api/console/wizard/") && !p.equals("/api/console/proxies")) {
      return false;
    }
    if (source == null) {
      ex.json(503, Map.of("error", "no control plane configured; start the console with --control-plane HOST:PORT (the REST port, 15014)"));
      return true;
    }
    try {
      switch (p) {
        case "/api/istio/validations" -> ex.json(200, Validations.summary(source.current(), namespaces(ex)));
        case "/api/console/config" -> {
          var c = source.current();
          ex.json(200, Map.of("revision", c.revision(), "items", Validations.objects(c, namespaces(ex))));
        }
        case "/api/console/config/validate" -> ex.json(200, validate(body(ex)));
        case "/api/console/config/apply" -> write(ex, source.client().apply(body(ex)));
        case "/api/console/config/delete" -> write(ex, source.client().delete(body(ex)));
        case "/api/console/services" -> ex.json(200, services(source.current(), ex.param("namespace", null)));
        case "/api/console/workloads" -> ex.json(200, withSync(workloads(source.current(), ex.param("namespace", null))));
        case "/api/console/proxies" -> ex.json(200, source.client().getJson("/debug/proxies"));
        case "/api/console/wizard/traffic-shifting", "/api/console/wizard/fault-injection" -> wizard(ex, p.endsWith("shifting"));
        default -> ex.json(404, Map.of("error", "no such API: " + p));
      }
    } catch (IllegalArgumentException e) {
      ex.json(400, Map.of("error", e.getMessage()));
    } catch (IOException e) {
      ex.json(503, Map.of("error", e.getMessage()));
    }
    return true;
  }

  private static String body(Exchange ex) throws IOException {
    if (!ex.method().equals("POST")) {
      throw new IllegalArgumentException("use POST with the YAML or JSON documents as the body");
    }
    return new String(ex.body(), StandardCharsets.UTF_8);
  }

  private static List<String> namespaces(Exchange ex) {
    var s = ex.param("namespaces", ex.param("namespace", ""));
    return Arrays.stream(s.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList();
  }

  /** Forwards the control plane's answer (its 422 lists every error); a success invalidates the cached config. */
  private void write(Exchange ex, ControlPlaneClient.Reply r) throws IOException {
    if (r.ok()) {
      source.invalidate();
    }
    JsonNode body;
    try {
      body = r.json();
    } catch (IOException e) {
      body = ConfigLoader.JSON.createObjectNode().put("message", r.body());
    }
    ex.json(r.status(), body);
  }

  /**
   * The checks the documents would get: their own validation errors, and the analyzer's findings
   * about them over the current config with these documents applied on top.
   */
  Map<String, Object> validate(String yaml) throws IOException {
    var docs = ConfigLoader.create().loadText("editor", yaml);
    if (docs.isEmpty()) {
      throw new IllegalArgumentException("the body holds no YAML or JSON documents");
    }
    var current = source.current();
    var all = new ArrayList<LoadedDocument>();
    var replacing = new HashSet<ResourceKey>();
    docs.stream().filter(LoadedDocument::valid).forEach(d -> replacing.add(d.resource().key()));
    var text = new StringBuilder();
    current.resources().forEach((k, r) -> {
      if (!replacing.contains(k)) {
        text.append("---\n").append(r.toString()).append('\n');
      }
    });
    all.addAll(ConfigLoader.create().loadText("control-plane", text.toString()));
    all.addAll(docs);
    var keys = new LinkedHashSet<ResourceKey>();
    var checks = new ArrayList<Map<String, Object>>();
    boolean valid = true;
    for (var d : docs) {
      if (!d.valid()) {
        valid = false;
        for (var e : d.errors()) {
          checks.add(check(d.title(), "MW0001", "error", Validations.kialiPath(Validations.errorPath(e)), e));
        }
      } else {
        keys.add(d.resource().key());
      }
    }
    for (var f : Analysis.run(all)) {
      if (keys.contains(f.resource())) {
        checks.add(check(f.resource().toString(), f.code().id(), f.severity().label(), Validations.kialiPath(f.path()), f.message()));
        valid &= f.severity() != io.meshwork.config.analysis.Severity.ERROR;
      }
    }
    return Map.of("valid", valid, "checks", checks);
  }

  private static Map<String, Object> check(String resource, String code, String severity, String path, String message) {
    var m = new LinkedHashMap<String, Object>();
    m.put("resource", resource);
    m.put("code", code);
    m.put("severity", severity);
    m.put("path", path);
    m.put("message", message);
    return m;
  }

  private void wizard(Exchange ex, boolean shifting) throws IOException {
    if (!ex.method().equals("POST")) {
      throw new IllegalArgumentException("use POST with a JSON body");
    }
    JsonNode in;
    try {
      in = ConfigLoader.JSON.readTree(ex.body());
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not JSON: " + e.getMessage());
    }
    String ns = text(in, "namespace", "default");
    String service = text(in, "service", null);
    if (service == null) {
      throw new IllegalArgumentException("service: name the service, e.g. {\"service\": \"reviews\"}");
    }
    var config = source.current();
    String yaml;
    if (shifting) {
      var weights = new LinkedHashMap<String, Integer>();
      in.path("weights").fields().forEachRemaining(e -> weights.put(e.getKey(), e.getValue().asInt()));
      yaml = Wizards.trafficShifting(config, ns, service, text(in, "versionLabel", "version"), weights);
    } else {
      yaml = Wizards.faultInjection(config, ns, service, new Wizards.Faults(num(in, "delayPercent"), text(in, "fixedDelay", null),
          num(in, "abortPercent"), in.hasNonNull("httpStatus") ? in.get("httpStatus").asInt() : null, text(in, "timeout", null),
          in.hasNonNull("retryAttempts") ? in.get("retryAttempts").asInt() : null, text(in, "perTryTimeout", null)));
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("yaml", yaml);
    out.put("validation", validate(yaml));
    if (Boolean.parseBoolean(ex.param("apply", "false"))) {
      var r = source.client().apply(yaml);
      if (r.ok()) {
        source.invalidate();
      }
      out.put("applied", r.ok());
      out.put("result", r.json());
      ex.json(r.ok() ? 200 : r.status(), out);
      return;
    }
    ex.json(200, out);
  }

  private static String text(JsonNode in, String field, String def) {
    var v = in.get(field);
    return v == null || v.isNull() || v.asText().isBlank() ? def : v.asText().strip();
  }

  private static Double num(JsonNode in, String field) {
    var v = in.get(field);
    if (v == null || v.isNull() || v.asText().isBlank()) {
      return null;
    }
    try {
      return Double.parseDouble(v.asText());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + ": \"" + v.asText() + "\" is not a number");
    }
  }

  /** Services of the registry with their versions (labels of the workloads they select) and related config. */
  static List<Map<String, Object>> services(MeshConfig c, String ns) {
    var out = new ArrayList<Map<String, Object>>();
    for (var s : c.registry().path("services")) {
      var sns = s.path("namespace").asText();
      if (ns != null && !ns.equals(sns)) {
        continue;
      }
      var host = s.path("host").asText();
      var name = host.endsWith(".svc.cluster.local") ? host.substring(0, host.indexOf('.')) : host;
      var m = new LinkedHashMap<String, Object>();
      m.put("name", name);
      m.put("namespace", sns);
      m.put("host", host);
      m.put("source", s.path("source").asText());
      m.put("external", s.path("external").asBoolean());
      m.put("ports", s.path("ports"));
      var versions = new TreeMap<String, Integer>();
      var selector = s.path("selector");
      if (selector.isObject() && !selector.isEmpty()) {
        for (var w : c.registry().path("workloads")) {
          if (w.path("namespace").asText().equals(sns) && selects(selector, w.path("labels"))) {
            versions.merge(w.path("labels").path("version").asText("(none)"), 1, Integer::sum);
          }
        }
      }
      m.put("versions", versions);
      var related = new ArrayList<Map<String, Object>>();
      var hosts = List.of(host);
      for (var kind : List.of("VirtualService", "DestinationRule", "ServiceEntry")) {
        for (var r : c.ofKind(kind)) {
          var rns = r.path("metadata").path("namespace").asText("default");
          var spec = r.path("spec");
          var written = kind.equals("DestinationRule") ? List.of(spec.path("host").asText()) : textList(spec.path("hosts"));
          if (written.stream().anyMatch(h -> io.meshwork.config.HostNames.fqdn(h, rns).equals(host) || h.equals(host))) {
            var key = new ResourceKey("networking.istio.io", kind, rns, r.path("metadata").path("name").asText());
            related.add(Validations.item(key, r, c.findingsOf(key)));
          }
        }
      }
      m.put("config", related);
      m.put("validation", worst(related));
      out.add(m);
    }
    return out;
  }

  /** Workloads of the registry, with whether a proxy of theirs is connected. */
  static List<Map<String, Object>> workloads(MeshConfig c, String ns) {
    var out = new ArrayList<Map<String, Object>>();
    for (var w : c.registry().path("workloads")) {
      var wns = w.path("namespace").asText();
      if (ns != null && !ns.equals(wns)) {
        continue;
      }
      var m = new LinkedHashMap<String, Object>();
      m.put("name", w.path("name").asText());
      m.put("namespace", wns);
      m.put("address", w.path("address").asText());
      m.put("labels", w.path("labels"));
      m.put("healthy", w.path("healthy").asBoolean());
      var app = w.path("labels").path("app").asText(null);
      m.put("proxy", c.hasProxy(wns, w.path("name").asText()) || (app != null && c.hasProxyForApp(wns, app, w.path("labels").path("version").asText(null))));
      out.add(m);
    }
    return out;
  }

  /**
   * Adds each workload's proxy sync state from {@code /debug/proxies}: {@code SYNCED} when every
   * xDS type is acknowledged, else the first type that is not with its state (e.g. {@code RDS
   * NACKED: ...}). Left out if the control plane cannot say.
   */
  private List<Map<String, Object>> withSync(List<Map<String, Object>> workloads) {
    JsonNode proxies;
    try {
      proxies = source.client().getJson("/debug/proxies");
    } catch (IOException e) {
      return workloads;
    }
    for (var w : workloads) {
      for (var p : proxies) {
        var id = p.path("id").asText().split("~");
        var ips = id.length == 4 ? List.of(id[1]) : List.<String>of();
        if (p.path("namespace").asText().equals(w.get("namespace")) && MeshConfig.isProxyWorkload((String) w.get("name"), p.path("workload").asText(), ips)) {
          String sync = "SYNCED";
          var it = p.path("types").fields();
          while (it.hasNext()) {
            var t = it.next();
            var st = t.getValue().path("status").asText();
            if (!st.equals("SYNCED")) {
              var nack = t.getValue().path("lastNack").asText("");
              sync = t.getKey() + " " + st + (nack.isEmpty() || nack.equals("null") ? "" : ": " + nack);
              break;
            }
          }
          w.put("sync", sync);
        }
      }
    }
    return workloads;
  }

  private static boolean selects(JsonNode selector, JsonNode labels) {
    var it = selector.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!labels.path(e.getKey()).asText("\u0000").equals(e.getValue().asText())) {
        return false;
      }
    }
    return true;
  }

  private static List<String> textList(JsonNode a) {
    var out = new ArrayList<String>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static String worst(List<Map<String, Object>> related) {
    String worst = "ok";
    for (var r : related) {
      for (var c : (List<Map<String, Object>>) ((Map<String, Object>) r.get("validation")).get("checks")) {
        var s = (String) c.get("severity");
        if (s.equals("error")) {
          return "error";
        }
        if (s.equals("warning")) {
          worst = "warning";
        }
      }
    }
    return worst;
  }
}
