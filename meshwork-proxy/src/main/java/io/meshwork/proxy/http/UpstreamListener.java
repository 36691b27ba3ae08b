package io.meshwork.proxy.http;

import io.netty.handler.codec.http.HttpObject;

/** Receives what an upstream connection delivers for the request currently using it. */
interface UpstreamListener {
  /** A response head or content; the listener owns (and must release) content. */
  void onUpstreamMessage(HttpObject msg);

  /** The connection closed (or reset) while this listener was attached. */
  void onUpstreamClosed();

  /** The upstream reset this HTTP/2 stream with {@code errorCode}; {@link #onUpstreamClosed} follows. */
  default void onUpstreamReset(long errorCode) {}
}
