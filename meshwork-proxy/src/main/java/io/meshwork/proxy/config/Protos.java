package io.meshwork.proxy.config;

import java.time.Duration;

/** Small conversions from proto well-known types to Java types. */
final class Protos {
  private Protos() {}

  static Duration duration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
