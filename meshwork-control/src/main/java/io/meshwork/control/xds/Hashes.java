package io.meshwork.control.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A resource's version: a hash of its deterministic serialization (map fields in key order), so a
 * resource rebuilt with the same content has the same version and is not sent again.
 */
final class Hashes {
  private Hashes() {}

  static String of(Message m) {
    try {
      var out = new ByteArrayOutputStream(256);
      var cos = CodedOutputStream.newInstance(out);
      cos.useDeterministicSerialization();
      m.writeTo(cos);
      cos.flush();
      var d = MessageDigest.getInstance("SHA-256").digest(out.toByteArray());
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
