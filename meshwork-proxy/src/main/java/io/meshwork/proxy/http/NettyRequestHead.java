package io.meshwork.proxy.http;

import io.meshwork.proxy.config.RequestHead;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * A {@link RequestHead} over a Netty HTTP/1.1 request. Absolute-form targets
 * ({@code GET http://host/path}) are split into authority and path, as a proxy must.
 */
final class NettyRequestHead implements RequestHead {
  private final HttpRequest request;
  private final String path;
  private final String query;
  private final String authority;

  NettyRequestHead(HttpRequest request) {
    this.request = request;
    var uri = request.uri();
    String auth = request.headers().get(HttpHeaderNames.HOST);
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      int start = uri.indexOf("//") + 2;
      int slash = uri.indexOf('/', start);
      int q = uri.indexOf('?', start);
      int end = slash >= 0 ? slash : (q >= 0 ? q : uri.length());
      auth = uri.substring(start, end);
      uri = slash >= 0 ? uri.substring(slash) : "/" + (q >= 0 ? uri.substring(q) : "");
    }
    int q = uri.indexOf('?');
    int hash = uri.indexOf('#');
    var noFragment = hash >= 0 ? uri.substring(0, hash) : uri;
    this.path = q >= 0 && (hash < 0 || q < hash) ? noFragment.substring(0, q) : noFragment;
    this.query = q >= 0 && (hash < 0 || q < hash) ? noFragment.substring(q + 1) : "";
    this.authority = auth == null ? "" : auth;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  /** Path plus "?query" when there is one: what is sent upstream. */
  String pathAndQuery() {
    return query.isEmpty() ? path : path + "?" + query;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public String header(String name) {
    if (!name.isEmpty() && name.charAt(0) == ':') {
      return switch (name) {
        case ":method" -> method();
        case ":path" -> pathAndQuery();
        case ":authority" -> authority;
        case ":scheme" -> scheme();
        default -> null;
      };
    }
    List<String> all = request.headers().getAll(name);
    if (all.isEmpty()) {
      return null;
    }
    return all.size() == 1 ? all.get(0) : String.join(",", all);
  }
}
