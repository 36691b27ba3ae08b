package io.meshwork.proxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The subset of CEL that Istio's Telemetry {@code accessLogging.filter.expression} uses in practice,
 * parsed into a tree at configuration time ({@code envoy.access_loggers.extension_filters.cel}):
 * Envoy attributes ({@code response.code}, {@code request.headers['x-user']},
 * {@code connection.mtls}, ...), int/string/bool literals, {@code == != < <= > >=}, {@code !},
 * {@code && ||}, parentheses, and {@code startsWith}/{@code endsWith}/{@code contains}. Anything else
 * is rejected with the position, rather than evaluated differently from Envoy.
 */
public record CelExpression(String source, Node root) {
  public sealed interface Node {}

  /** A Long, String or Boolean. */
  public record Literal(Object value) implements Node {}

  /** A dotted attribute such as {@code response.code}. */
  public record Attribute(String name) implements Node {}

  /** {@code target[key]} (header maps). */
  public record Index(Node target, Node key) implements Node {}

  /** {@code target.method(args)}. */
  public record Call(Node target, String method, List<Node> args) implements Node {}

  public record Not(Node operand) implements Node {}

  public record Binary(String op, Node left, Node right) implements Node {}

  /** Attributes a filter may read (Envoy's names). */
  public static final Set<String> ATTRIBUTES = Set.of("request.path", "request.url_path", "request.host", "request.scheme",
      "request.method", "request.headers", "request.useragent", "request.id", "request.protocol", "request.size",
      "request.duration", "request.referer", "response.code", "response.code_details", "response.flags",
      "response.headers", "response.size", "response.grpc_status", "connection.mtls", "connection.requested_server_name",
      "source.address", "source.port", "destination.address", "destination.port", "upstream.address", "xds.cluster_name",
      "xds.route_name");

  public static CelExpression parse(String source, String path) throws ConfigException {
    var p = new Parser(source, path);
    var node = p.or();
    p.skipSpace();
    if (p.pos < source.length()) {
      throw p.error("unexpected \"" + source.substring(p.pos) + "\"");
    }
    return new CelExpression(source, node);
  }

  private static final class Parser {
    final String s;
    final String path;
    int pos;

    Parser(String s, String path) {
      this.s = s;
      this.path = path;
    }

    ConfigException error(String what) {
      return new ConfigException(path, "CEL expression \"" + s + "\": " + what + " at offset " + pos
          + " (supported: attributes, literals, == != < <= > >=, !, &&, ||, startsWith/endsWith/contains)");
    }

    void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    boolean eat(String token) {
      skipSpace();
      if (s.startsWith(token, pos)) {
        pos += token.length();
        return true;
      }
      return false;
    }

    Node or() throws ConfigException {
      var left = and();
      while (eat("||")) {
        left = new Binary("||", left, and());
      }
      return left;
    }

    Node and() throws ConfigException {
      var left = comparison();
      while (eat("&&")) {
        left = new Binary("&&", left, comparison());
      }
      return left;
    }

    Node comparison() throws ConfigException {
      var left = unary();
      for (var op : List.of("==", "!=", "<=", ">=", "<", ">")) {
        if (eat(op)) {
          return new Binary(op, left, unary());
        }
      }
      return left;
    }

    Node unary() throws ConfigException {
      if (eat("!")) {
        return new Not(unary());
      }
      return postfix(primary());
    }

    Node postfix(Node node) throws ConfigException {
      while (true) {
        if (eat("[")) {
          if (node instanceof Attribute a && !ATTRIBUTES.contains(a.name())) {
            throw error("unknown attribute \"" + a.name() + "\"");
          }
          var key = or();
          if (!eat("]")) {
            throw error("expected ']'");
          }
          node = new Index(node, key);
        } else if (node instanceof Attribute a && peek('.')) {
          pos++;
          var name = ident();
          skipSpace();
          if (peek('(')) {
            node = call(node, name);
          } else {
            node = new Attribute(a.name() + "." + name);
          }
        } else if (peek('.')) {
          pos++;
          node = call(node, ident());
        } else {
          if (node instanceof Attribute a && !ATTRIBUTES.contains(a.name())) {
            throw error("unknown attribute \"" + a.name() + "\"");
          }
          return node;
        }
      }
    }

    Node call(Node target, String method) throws ConfigException {
      if (!Set.of("startsWith", "endsWith", "contains").contains(method)) {
        throw error("unsupported function \"" + method + "\"");
      }
      if (target instanceof Attribute a && !ATTRIBUTES.contains(a.name())) {
        throw error("unknown attribute \"" + a.name() + "\"");
      }
      if (!eat("(")) {
        throw error("expected '('");
      }
      var args = new ArrayList<Node>();
      if (!eat(")")) {
        do {
          args.add(or());
        } while (eat(","));
        if (!eat(")")) {
          throw error("expected ')'");
        }
      }
      if (args.size() != 1) {
        throw error(method + " takes one argument");
      }
      return new Call(target, method, List.copyOf(args));
    }

    boolean peek(char c) {
      skipSpace();
      return pos < s.length() && s.charAt(pos) == c;
    }

    String ident() throws ConfigException {
      skipSpace();
      int start = pos;
      while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a name");
      }
      return s.substring(start, pos);
    }

    Node primary() throws ConfigException {
      skipSpace();
      if (pos >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(pos);
      if (c == '(') {
        pos++;
        var inner = or();
        if (!eat(")")) {
          throw error("expected ')'");
        }
        return inner;
      }
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, pos + 1);
        if (end < 0) {
          throw error("unterminated string");
        }
        var v = s.substring(pos + 1, end);
        pos = end + 1;
        return new Literal(v);
      }
      if (Character.isDigit(c) || c == '-') {
        int start = pos++;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        if (pos < s.length() && s.charAt(pos) == 'u') {
          pos++; // CEL unsigned literal
          return new Literal(Long.parseLong(s.substring(start, pos - 1)));
        }
        try {
          return new Literal(Long.parseLong(s.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw error("bad number");
        }
      }
      var name = ident();
      return switch (name) {
        case "true" -> new Literal(Boolean.TRUE);
        case "false" -> new Literal(Boolean.FALSE);
        default -> new Attribute(name);
      };
    }
  }
}
