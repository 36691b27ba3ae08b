package io.meshwork.proxy.telemetry;

import io.netty.buffer.ByteBuf;

/**
 * Counts gRPC messages in a byte stream (each is a 1-byte flag, a 4-byte big-endian length, then
 * the message) without copying, across chunk boundaries, for {@code istio_*_messages_total}.
 */
final class GrpcFrames {
  private long messages;
  /** Bytes still to skip in the current message body. */
  private long remaining;
  /** Prefix bytes of the next message seen so far (0..4), and the length accumulated from them. */
  private int prefixSeen;
  private long length;

  void feed(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end) {
      if (remaining > 0) {
        long skip = Math.min(remaining, end - i);
        remaining -= skip;
        i += (int) skip;
        continue;
      }
      int b = buf.getByte(i++) & 0xFF;
      if (prefixSeen == 0) {
        prefixSeen = 1; // the compressed flag
        length = 0;
        continue;
      }
      length = (length << 8) | b;
      if (++prefixSeen == 5) {
        messages++;
        remaining = length;
        prefixSeen = 0;
      }
    }
  }

  long messages() {
    return messages;
  }
}
