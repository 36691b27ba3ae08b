package io.meshwork.proxy.chains;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Envoy's {@code http_inspector} decision on the bytes a client sent first, read without consuming
 * them. The HTTP/2 connection preface ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) is h2c with prior
 * knowledge; a request line {@code METHOD SP target SP HTTP/1.0|HTTP/1.1} with a method Envoy's HTTP/1
 * parser knows is HTTP/1.x. A prefix that could still become either asks for more bytes; anything
 * else is not HTTP, decided as early as the bytes allow (a Redis {@code PING} fails on its second byte).
 */
public final class HttpInspection {
  /** What the bytes say. */
  public enum Result {
    NEED_MORE(null), HTTP10("http/1.0"), HTTP11("http/1.1"), HTTP2("h2c"), NOT_HTTP(null);

    private final String applicationProtocol;

    Result(String applicationProtocol) {
      this.applicationProtocol = applicationProtocol;
    }

    /** The application protocol the filter chain match sees ({@code http/1.1}, {@code h2c}), null when none. */
    public String applicationProtocol() {
      return applicationProtocol;
    }
  }

  /** Envoy's inspection limit: after this many bytes without a complete request line, it is not HTTP. */
  public static final int MAX_INSPECT_BYTES = 8192;

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** The methods of Envoy's HTTP/1 parser (the llhttp/http-parser method table). */
  static final Set<String> METHODS = Set.of("DELETE", "GET", "HEAD", "POST", "PUT", "CONNECT", "OPTIONS", "TRACE",
      "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "BIND", "REBIND", "UNBIND", "ACL",
      "REPORT", "MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PATCH", "PURGE",
      "MKCALENDAR", "LINK", "UNLINK", "SOURCE");

  private HttpInspection() {}

  /** Inspects the readable bytes of {@code in} (its indexes are not moved). */
  public static Result inspect(ByteBuf in) {
    int start = in.readerIndex();
    int n = Math.min(in.readableBytes(), MAX_INSPECT_BYTES);
    if (n == 0) {
      return Result.NEED_MORE;
    }
    int prefaceBytes = Math.min(n, PREFACE.length);
    boolean preface = true;
    for (int i = 0; i < prefaceBytes && preface; i++) {
      preface = in.getByte(start + i) == PREFACE[i];
    }
    if (preface) {
      return prefaceBytes == PREFACE.length ? Result.HTTP2 : Result.NEED_MORE;
    }
    var line = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int b = in.getUnsignedByte(start + i);
      if (b == '\r' || b == '\n') {
        return requestLine(line.toString());
      }
      if (b < 0x20 || b > 0x7e) {
        return Result.NOT_HTTP; // a request line is printable ASCII
      }
      line.append((char) b);
      if (line.indexOf(" ") < 0 && !methodPrefix(line)) {
        return Result.NOT_HTTP;
      }
    }
    return n >= MAX_INSPECT_BYTES ? Result.NOT_HTTP : Result.NEED_MORE;
  }

  /** Whether the bytes so far (no space yet) can still begin a known method followed by a space. */
  private static boolean methodPrefix(CharSequence s) {
    var p = s.toString();
    for (var m : METHODS) {
      if (m.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static Result requestLine(String line) {
    var parts = line.split(" ", -1);
    if (parts.length != 3 || !METHODS.contains(parts[0]) || parts[1].isEmpty()) {
      return Result.NOT_HTTP;
    }
    return switch (parts[2]) {
      case "HTTP/1.0" -> Result.HTTP10;
      case "HTTP/1.1" -> Result.HTTP11;
      default -> Result.NOT_HTTP;
    };
  }
}
