package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;

/** Request checks that need the whole head, and hop-by-hop header removal (RFC 9110 §7.6.1). */
final class Http1Checks {
  private Http1Checks() {}

  /** Why the request must be refused with 400, or null when it is acceptable. */
  static String problem(HttpRequest req) {
    var v = req.protocolVersion();
    if (!v.equals(HttpVersion.HTTP_1_1) && !v.equals(HttpVersion.HTTP_1_0)) {
      return "unsupported HTTP version " + v.text();
    }
    // Counted without getAll, which builds a list (and a view of it) for every request.
    int hosts = 0;
    for (var it = req.headers().valueCharSequenceIterator(HttpHeaderNames.HOST); it.hasNext() && hosts < 2; it.next()) {
      hosts++;
    }
    if (hosts > 1) {
      return "more than one Host header";
    }
    if (hosts == 0 && v.equals(HttpVersion.HTTP_1_1) && !req.uri().startsWith("http")) {
      return "missing Host header";
    }
    var uri = req.uri();
    if (uri.isEmpty() || !(uri.charAt(0) == '/' || uri.startsWith("http://") || uri.startsWith("https://"))) {
      return "request target must be origin-form or absolute-form";
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      // Netty splits the request line on whitespace only, so NUL and other controls would reach the
      // upstream inside the path, where another parser may cut or reframe it (found by issue 12's tests).
      if (c <= 0x20 || c == 0x7f) {
        return "control character in the request target";
      }
    }
    return null;
  }

  /**
   * The protocol an HTTP/1.1 request asks to upgrade to ({@code Upgrade} header plus an
   * {@code upgrade} token in {@code Connection}), lower-cased, or null.
   */
  static String upgradeType(HttpRequest req) {
    if (!req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return null;
    }
    var upgrade = req.headers().get(HttpHeaderNames.UPGRADE);
    if (upgrade == null || !req.headers().containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)) {
      return null;
    }
    var type = upgrade.split(",")[0].strip().toLowerCase(java.util.Locale.ROOT);
    // Like Envoy, an HTTP/2 cleartext upgrade offer is not an upgrade to refuse: the request is served as
    // HTTP/1.1 and the offer (Upgrade, HTTP2-Settings) is dropped with the other hop-by-hop headers.
    return type.equals("h2c") ? null : type;
  }

  /**
   * Removes hop-by-hop headers, including those named in Connection, except {@code te: trailers}:
   * as Envoy does (since its TE sanitizing), a TE header that lists the {@code trailers} token is
   * forwarded as {@code te: trailers} and any other TE value is dropped. It is the one TE value HTTP/2
   * allows (RFC 9113 8.2.2), and gRPC servers expect it: grpc-java logs a warning without it, other
   * gRPC libraries refuse the call.
   */
  static void removeHopByHop(HttpHeaders h) {
    // Runs on every request and response head: the Connection list is only built when there is a
    // Connection header (most keep-alive heads have none), and the names are AsciiString constants
    // whose hash is cached (a String name is hashed again on every remove).
    boolean teTrailers = listsTrailers(h); // before the Connection list (which names TE in HTTP/1.1) removes it
    if (h.contains(HttpHeaderNames.CONNECTION)) {
      var named = new ArrayList<String>();
      for (var c : h.getAll(HttpHeaderNames.CONNECTION)) {
        for (var t : c.split(",")) {
          var name = t.strip();
          if (!name.isEmpty()) {
            named.add(name);
          }
        }
      }
      for (int i = 0; i < named.size(); i++) {
        h.remove(named.get(i));
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    h.remove(HttpHeaderNames.PROXY_CONNECTION);
    h.remove(HttpHeaderNames.TE);
    if (teTrailers) {
      h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    h.remove(HttpHeaderNames.TRAILER);
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    h.remove(HttpHeaderNames.UPGRADE);
    h.remove(HttpHeaderNames.EXPECT);
  }

  /** Whether a TE header lists the {@code trailers} token (its parameters, such as a weight, ignored). */
  private static boolean listsTrailers(HttpHeaders h) {
    var te = h.get(HttpHeaderNames.TE);
    if (te == null) {
      return false;
    }
    if (te.equalsIgnoreCase("trailers")) {
      return true; // gRPC's one value: no split
    }
    for (var value : h.getAll(HttpHeaderNames.TE)) {
      for (var token : value.split(",")) {
        int semi = token.indexOf(';');
        if ((semi < 0 ? token : token.substring(0, semi)).strip().equalsIgnoreCase("trailers")) {
          return true;
        }
      }
    }
    return false;
  }
}
