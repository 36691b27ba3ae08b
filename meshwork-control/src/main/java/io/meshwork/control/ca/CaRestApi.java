package io.meshwork.control.ca;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The CA's REST endpoints on the control plane API (15014):
 * <ul>
 *   <li>{@code POST /apis/meshwork.io/v1/join-tokens?namespace=N&serviceAccount=S[&ttl=SECONDS]}
 *       issues a join token ({@code meshwork token create}); only callers on a loopback address
 *       are served, because the token is a credential and the REST API has no authentication;
 *   <li>{@code GET /apis/meshwork.io/v1/ca/root} the trust bundle as PEM (public).
 * </ul>
 */
public final class CaRestApi implements HttpHandler {
  public static final String TOKENS = "/apis/meshwork.io/v1/join-tokens";
  public static final String ROOT = "/apis/meshwork.io/v1/ca/root";

  private final CaServer ca;

  public CaRestApi(CaServer ca) {
    this.ca = ca;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      var path = ex.getRequestURI().getPath();
      if (path.equals(ROOT) && ex.getRequestMethod().equals("GET")) {
        send(ex, 200, "application/x-pem-file", ca.rootPem());
      } else if (path.equals(TOKENS) && ex.getRequestMethod().equals("POST")) {
        if (!ex.getRemoteAddress().getAddress().isLoopbackAddress()) {
          send(ex, 403, "text/plain", "join tokens are issued to local callers only; run 'meshwork token create' on the control plane's host\n");
          return;
        }
        var q = query(ex.getRequestURI().getRawQuery());
        var ns = q.getOrDefault("namespace", "");
        var sa = q.getOrDefault("serviceAccount", "");
        if (ns.isBlank() || sa.isBlank()) {
          send(ex, 400, "text/plain", "namespace and serviceAccount query parameters are required\n");
          return;
        }
        Duration ttl = null;
        if (q.containsKey("ttl")) {
          try {
            ttl = Duration.ofSeconds(Long.parseLong(q.get("ttl")));
          } catch (NumberFormatException e) {
            send(ex, 400, "text/plain", "ttl must be a number of seconds\n");
            return;
          }
        }
        String token;
        try {
          token = ca.issueJoinToken(ns, sa, ttl, null);
        } catch (IllegalArgumentException e) {
          send(ex, 400, "text/plain", e.getMessage() + "\n");
          return;
        }
        var json = io.meshwork.config.codec.ConfigLoader.JSON.createObjectNode();
        json.put("token", token);
        json.put("spiffeId", "spiffe://" + ca.authority().options().trustDomain() + "/ns/" + ns + "/sa/" + sa);
        json.put("root", ca.rootPem());
        send(ex, 200, "application/json", json.toString());
      } else {
        send(ex, 405, "text/plain", "use POST " + TOKENS + " or GET " + ROOT + "\n");
      }
    }
  }

  private static Map<String, String> query(String raw) {
    var out = new HashMap<String, String>();
    if (raw == null) {
      return out;
    }
    for (var kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    var bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}
