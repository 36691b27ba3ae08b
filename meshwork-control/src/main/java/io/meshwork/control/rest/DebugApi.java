package io.meshwork.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import io.meshwork.config.HostNames;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.translate.ProxyResources;
import io.meshwork.control.xds.XdsServer;
import java.io.IOException;
import java.util.Map;

/**
 * Introspection: {@code /debug/proxies} (each proxy's sync state per type, NACK errors),
 * {@code /debug/config_dump?proxy=ID} (the resources last computed for a proxy, as proto JSON),
 * {@code /debug/describe?service=NAME&namespace=NS}, {@code /debug/targets}, {@code /debug/configz},
 * {@code /debug/registryz} (see {@link ConsoleViews}), and {@code /metrics}.
 */
final class DebugApi {
  private static final JsonFormat.Printer PRINTER = io.meshwork.control.translate.JsonTypes.printer();
  private final XdsServer xds;
  private final io.meshwork.control.store.ConfigStore store;

  DebugApi(XdsServer xds, io.meshwork.control.store.ConfigStore store) {
    this.xds = xds;
    this.store = store;
  }

  void handle(HttpExchange ex) throws IOException {
    var path = ex.getRequestURI().getPath();
    switch (path) {
      case "/metrics" -> Http.send(ex, 200, "text/plain; version=0.0.4", xds.metrics().prometheus());
      case "/debug/proxies" -> Http.json(ex, 200, ConfigLoader.JSON.valueToTree(xds.proxies()));
      case "/debug/config_dump" -> configDump(ex);
      case "/debug/targets" -> Http.json(ex, 200, ConsoleViews.targets(xds.nodes()));
      case "/debug/configz" -> Http.json(ex, 200, ConsoleViews.configz(store.snapshot()));
      case "/debug/registryz" -> Http.json(ex, 200, ConsoleViews.registryz(io.meshwork.control.registry.Registry.of(store.snapshot())));
      case "/debug/describe" -> Http.json(ex, 200, Describe.service(xds.context(), required(ex, "service"), ns(ex)));
      default -> throw Http.notFound("no debug endpoint " + path + "; try /debug/proxies, /debug/config_dump?proxy=ID, /debug/describe?service=NAME");
    }
  }

  private static String ns(HttpExchange ex) {
    var ns = ResourceApi.query(ex, "namespace");
    return ns == null || ns.isEmpty() ? "default" : ns;
  }

  private static String required(HttpExchange ex, String name) {
    var v = ResourceApi.query(ex, name);
    if (v == null || v.isEmpty()) {
      throw Http.badRequest("the query parameter " + name + " is required");
    }
    return v;
  }

  private void configDump(HttpExchange ex) throws IOException {
    var proxy = required(ex, "proxy");
    var res = xds.resources(proxy);
    if (res == null) {
      throw Http.notFound("no connected proxy \"" + proxy + "\"; 'meshwork proxy-status' lists them");
    }
    Http.json(ex, 200, dump(res));
  }

  static ObjectNode dump(ProxyResources res) throws IOException {
    var o = ConfigLoader.JSON.createObjectNode();
    o.set("listeners", array(res.listeners()));
    o.set("routes", array(res.routes()));
    o.set("clusters", array(res.clusters()));
    o.set("endpoints", array(res.endpoints()));
    return o;
  }

  private static JsonNode array(Map<String, ? extends Message> m) throws IOException {
    var a = ConfigLoader.JSON.createArrayNode();
    for (var msg : m.values()) {
      a.add(toJson(msg));
    }
    return a;
  }

  static JsonNode toJson(Message m) throws IOException {
    try {
      return ConfigLoader.JSON.readTree(PRINTER.print(m));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(e);
    }
  }

  static String fqdn(String name, String ns) {
    return HostNames.fqdn(name, ns);
  }
}
