package io.meshwork.proxy.tracing;

/**
 * What a queued span pushes into an encoder ({@link ZipkinJson}, {@link OtlpProtobuf}), in this
 * order: {@link #begin}, the name ({@link #beginName}, text, {@link #endValue}), {@link #endpoints},
 * any number of tags ({@link #beginTag}, text, {@link #endValue}) and {@link #end}. A value is
 * written as pieces ({@link #text}, {@link #number}) so that a span can write, say, its URL tag
 * from scheme, authority and path, or its operation from parts of a cluster name, straight into the
 * output buffer without first building a {@code String} for it.
 */
public interface SpanWriter {
  /** Starts a span; ids are lower-case hex (trace 32 digits, span 16), {@code parentId} null for a root. */
  void begin(String traceId, String spanId, String parentId, boolean client, long startMicros, long durationMicros,
      boolean debug);

  void beginName();

  /**
   * The span's service and endpoints, after the name: {@code localIp} may be null; the remote
   * endpoint is {@code remoteIp[remoteFrom, remoteTo)} and {@code remotePort}, absent when
   * {@code remoteIp} is null.
   */
  void endpoints(String serviceName, CharSequence localIp, CharSequence remoteIp, int remoteFrom, int remoteTo,
      int remotePort);

  void beginTag(String key);

  void text(CharSequence s, int from, int to);

  default void text(CharSequence s) {
    text(s, 0, s.length());
  }

  /** A decimal number as text. */
  void number(long v);

  /** Ends the name or the tag value begun last. */
  void endValue();

  default void tag(String key, CharSequence value) {
    beginTag(key);
    text(value);
    endValue();
  }

  /** Ends the span; {@code error} marks it failed (OTLP status ERROR; Zipkin has the {@code error} tag). */
  void end(boolean error);
}
