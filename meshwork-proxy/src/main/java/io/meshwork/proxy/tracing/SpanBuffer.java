package io.meshwork.proxy.tracing;

import java.util.Arrays;

/**
 * One growable byte array that the exporter thread encodes every batch into and reuses for the
 * next: JSON text and protobuf fields are written straight from a span's values, without a
 * {@code StringBuilder}, intermediate {@code String}s, {@code ByteString}s or a copy per nested
 * message. At 10,000 spans/s those per-span objects were most of the exporter's allocation, and
 * the garbage they made was collected in pauses that stop the event loops too.
 *
 * <p>Protobuf length prefixes: a nested message is written first and its length inserted in front
 * of it afterwards ({@link #endMessage}), moving its bytes by the varint's size, which keeps the
 * encoding canonical (shortest varint) without computing sizes in a first pass.
 */
final class SpanBuffer {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private byte[] buf;
  private int size;

  SpanBuffer(int initialCapacity) {
    buf = new byte[initialCapacity];
  }

  void reset() {
    size = 0;
  }

  /** Forgets everything written after {@code mark} (a span that failed half-way). */
  void truncate(int mark) {
    size = mark;
  }

  int size() {
    return size;
  }

  byte[] array() {
    return buf;
  }

  /** A copy of the content (for callers that need a plain byte array, e.g. tests). */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  /** ASCII text (literals, header names, digits). */
  void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size++] = (byte) s.charAt(i);
    }
  }

  /** A decimal number as ASCII digits. */
  void decimal(long v) {
    if (v == Long.MIN_VALUE) {
      ascii("-9223372036854775808");
      return;
    }
    if (v < 0) {
      write('-');
      v = -v;
    }
    int digits = 1;
    for (long p = 10; digits < 19 && v >= p; p *= 10) {
      digits++;
    }
    ensure(digits);
    for (int i = size + digits - 1; i >= size; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    size += digits;
  }

  /** {@code s[from, to)} as UTF-8 (an unpaired surrogate becomes {@code ?}, as {@code String.getBytes} does). */
  void utf8(CharSequence s, int from, int to) {
    ensure((to - from) * 3);
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[size++] = (byte) c;
      } else if (c < 0x800) {
        buf[size++] = (byte) (0xC0 | (c >> 6));
        buf[size++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          ensure(1); // four bytes for two chars: one more than the three reserved per char for the first
          buf[size++] = (byte) (0xF0 | (cp >> 18));
          buf[size++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          buf[size++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          buf[size++] = (byte) (0x80 | (cp & 0x3F));
        } else {
          buf[size++] = '?';
        }
      } else {
        buf[size++] = (byte) (0xE0 | (c >> 12));
        buf[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[size++] = (byte) (0x80 | (c & 0x3F));
      }
    }
  }

  /**
   * The body of a JSON string (RFC 8259 escaping, as {@code JsonStrings.quote}), without the quotes.
   * One pass: ASCII that needs no escape (nearly all span text) is copied byte by byte after a single
   * capacity check; anything else goes through the escape or UTF-8 path.
   */
  void jsonChars(CharSequence s, int from, int to) {
    ensure((to - from) * 6); // the worst case: a control character, escaped as backslash-u-0-0-hex-hex
    byte[] b = buf;
    int n = size;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b[n++] = (byte) c;
        continue;
      }
      size = n;
      switch (c) {
        case '"' -> ascii("\\\"");
        case '\\' -> ascii("\\\\");
        case '\n' -> ascii("\\n");
        case '\r' -> ascii("\\r");
        case '\t' -> ascii("\\t");
        default -> {
          if (c < 0x20) {
            ascii("\\u00");
            write(HEX[c >> 4]);
            write(HEX[c & 0xF]);
          } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
            utf8(s, i, i + 2);
            i++;
          } else {
            utf8(s, i, i + 1);
          }
        }
      }
      b = buf;
      n = size;
    }
    size = n;
  }

  // --- protobuf ---

  void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  void tag(int field, int wireType) {
    varint(((long) field << 3) | wireType);
  }

  void fixed64(int field, long v) {
    tag(field, 1);
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[size++] = (byte) (v >>> (8 * i));
    }
  }

  void enumField(int field, int v) {
    tag(field, 0);
    varint(v);
  }

  /** Starts a length-delimited field (message, string or bytes); returns the mark for {@link #endMessage}. */
  int beginMessage(int field) {
    tag(field, 2);
    return size;
  }

  /** Inserts the length of everything written since {@code mark} in front of it. */
  void endMessage(int mark) {
    int len = size - mark;
    int n = varintSize(len);
    ensure(n);
    System.arraycopy(buf, mark, buf, mark + n, len);
    int end = size + n;
    size = mark;
    varint(len);
    size = end;
  }

  /** A string field from {@code s[from, to)}. */
  void stringField(int field, CharSequence s, int from, int to) {
    int m = beginMessage(field);
    utf8(s, from, to);
    endMessage(m);
  }

  /** A bytes field holding the id {@code hex} (lower- or upper-case hex digits) as raw bytes. */
  void hexBytesField(int field, CharSequence hex) {
    int n = hex.length() / 2;
    tag(field, 2);
    varint(n);
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size++] = (byte) ((digit(hex.charAt(2 * i)) << 4) | digit(hex.charAt(2 * i + 1)));
    }
  }

  private static int digit(char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7F) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }
}
