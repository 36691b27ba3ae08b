package io.meshwork.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;

/**
 * The body of a {@link StreamedRequest} as it arrives, for the upstream attempts of its exchange.
 * Like Envoy's retry buffer, it keeps what has arrived so far so that a new attempt (a retry) can send
 * it again, but only up to {@link #RETRY_BUFFER_LIMIT} bytes: once an attempt has been sent more
 * than that, the copy is dropped and the request can no longer be retried (the attempt's outcome
 * stands). Until an attempt is connected the copy is the only one, so it is kept whatever its size;
 * the exchange stops reading from the client meanwhile. Used on the exchange's event loop only.
 */
final class StreamedRequestBody {
  /** Envoy's default per-request buffer limit (1 MiB), here the bytes kept for a retry. */
  static final int RETRY_BUFFER_LIMIT = 1 << 20;

  private final int limit;
  private final ArrayList<ByteBuf> kept = new ArrayList<>();
  private long received;
  private boolean replayable = true;
  private boolean ended;
  private HttpHeaders trailers = EmptyHttpHeaders.INSTANCE;

  StreamedRequestBody(int limit) {
    this.limit = limit;
  }

  /** A chunk from the client (not taken over: the caller still releases it). */
  void add(HttpContent content) {
    var data = content.content();
    received += data.readableBytes();
    if (replayable && data.isReadable()) {
      kept.add(data.retainedSlice());
    }
    if (content instanceof LastHttpContent last) {
      ended = true;
      if (!last.trailingHeaders().isEmpty()) {
        trailers = last.trailingHeaders().copy();
      }
    }
  }

  /** Body bytes received from the client so far. */
  long received() {
    return received;
  }

  /** The client half-closed: every byte is here. */
  boolean ended() {
    return ended;
  }

  /** More has arrived than may be kept for a retry. */
  boolean overLimit() {
    return received > limit;
  }

  /** Whether a new attempt could still send the whole body received so far. */
  boolean replayable() {
    return replayable;
  }

  /** An attempt holds the bytes now and more than the limit has arrived: no retry from here on. */
  void stopKeeping() {
    replayable = false;
    release();
  }

  /** Writes what has arrived so far to a new attempt's channel (and the end, if the client half-closed). */
  void replay(Channel ch) {
    for (var b : kept) {
      ch.write(new DefaultHttpContent(b.retainedDuplicate()), ch.voidPromise());
    }
    if (ended) {
      ch.write(trailers.isEmpty() ? LastHttpContent.EMPTY_LAST_CONTENT
          : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers), ch.voidPromise());
    }
  }

  /** The trailers the client sent at its half-close (empty if none, or not yet). */
  HttpHeaders trailers() {
    return trailers;
  }

  /** The whole body, for a shadow request, while every byte is kept: a new buffer over the kept ones (the caller releases it). */
  ByteBuf whole(io.netty.buffer.ByteBufAllocator alloc) {
    var all = alloc.compositeBuffer(Math.max(2, kept.size()));
    for (var b : kept) {
      all.addComponent(true, b.retainedDuplicate());
    }
    return all;
  }

  /** Gives the kept bytes back (the exchange ended, or no retry is possible any more). */
  void release() {
    for (var b : kept) {
      b.release();
    }
    kept.clear();
  }
}
