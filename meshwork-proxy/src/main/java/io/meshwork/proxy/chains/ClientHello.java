package io.meshwork.proxy.chains;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the SNI and ALPN of a TLS ClientHello without consuming it (the bytes go on to an
 * {@code SslHandler} or, for passthrough, to the upstream untouched). Like Envoy's TLS inspector it
 * looks at the first handshake record only.
 *
 * @param tls the connection starts with a TLS handshake record
 * @param serverName the SNI host name, lower case; null when none was sent
 */
record ClientHello(boolean tls, String serverName, List<String> alpn) {
  /** Largest record the inspector waits for (a TLS record is at most 16 KiB + header). */
  static final int MAX_RECORD = 5 + (1 << 14);
  static final ClientHello NOT_TLS = new ClientHello(false, null, List.of());
  private static final int HANDSHAKE = 22;
  private static final int CLIENT_HELLO = 1;
  private static final int SERVER_NAME = 0;
  private static final int ALPN = 16;

  /** Null when more bytes are needed; {@link #NOT_TLS} for anything else than a TLS handshake. */
  static ClientHello parse(ByteBuf in) {
    int start = in.readerIndex();
    if (in.readableBytes() < 1) {
      return null;
    }
    if (in.getUnsignedByte(start) != HANDSHAKE) {
      return NOT_TLS;
    }
    if (in.readableBytes() < 5) {
      return null;
    }
    int major = in.getUnsignedByte(start + 1);
    int length = in.getUnsignedShort(start + 3);
    if (major != 3 || length > MAX_RECORD - 5) {
      return NOT_TLS;
    }
    if (in.readableBytes() < 5 + length) {
      return null;
    }
    try {
      return hello(in, start + 5, start + 5 + length);
    } catch (IndexOutOfBoundsException e) {
      return new ClientHello(true, null, List.of()); // malformed: the TLS handshake will fail on it
    }
  }

  private static ClientHello hello(ByteBuf in, int p, int end) {
    if (in.getUnsignedByte(p) != CLIENT_HELLO) {
      return new ClientHello(true, null, List.of());
    }
    int helloEnd = Math.min(end, p + 4 + in.getUnsignedMedium(p + 1));
    p += 4 + 2 + 32; // type, length, client_version, random
    p += 1 + in.getUnsignedByte(p); // session_id
    p += 2 + in.getUnsignedShort(p); // cipher_suites
    p += 1 + in.getUnsignedByte(p); // compression_methods
    String sni = null;
    var alpn = new ArrayList<String>();
    if (p + 2 > helloEnd) {
      return new ClientHello(true, null, List.of());
    }
    int extEnd = Math.min(helloEnd, p + 2 + in.getUnsignedShort(p));
    p += 2;
    while (p + 4 <= extEnd) {
      int type = in.getUnsignedShort(p);
      int len = in.getUnsignedShort(p + 2);
      int data = p + 4;
      if (type == SERVER_NAME && len >= 5) {
        // server_name_list length, then entries: name_type (0 = host_name), length, name
        int q = data + 2;
        int listEnd = Math.min(data + len, data + 2 + in.getUnsignedShort(data));
        while (q + 3 <= listEnd) {
          int nameType = in.getUnsignedByte(q);
          int nameLen = in.getUnsignedShort(q + 1);
          if (nameType == 0 && q + 3 + nameLen <= listEnd) {
            sni = in.toString(q + 3, nameLen, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
            break;
          }
          q += 3 + nameLen;
        }
      } else if (type == ALPN && len >= 2) {
        int q = data + 2;
        int listEnd = Math.min(data + len, data + 2 + in.getUnsignedShort(data));
        while (q + 1 <= listEnd) {
          int n = in.getUnsignedByte(q);
          if (q + 1 + n > listEnd) {
            break;
          }
          alpn.add(in.toString(q + 1, n, StandardCharsets.US_ASCII));
          q += 1 + n;
        }
      }
      p = data + len;
    }
    return new ClientHello(true, sni, List.copyOf(alpn));
  }
}
