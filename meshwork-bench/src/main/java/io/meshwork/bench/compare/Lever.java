package io.meshwork.bench.compare;

import java.nio.file.Path;
import java.util.List;

/**
 * One JVM or Netty setting tried on the one-hop proxy: extra JVM flags and proxy arguments. The
 * levers of issue 9: heap size, Serial vs G1 (the default on this machine, so the baseline) vs ZGC, compact object headers, the AOT cache (a training
 * run writes it, the next run uses it), the allocator's arenas and the event-loop count.
 */
public record Lever(String name, String why, List<String> jvmFlags, List<String> proxyArgs) {
  public Lever {
    jvmFlags = List.copyOf(jvmFlags);
    proxyArgs = List.copyOf(proxyArgs);
  }

  /** The levers in the order they run; {@code aotCache} is where the training run leaves the cache. */
  public static List<Lever> standard(Path aotCache) {
    return List.of(
        new Lever("baseline", "JVM defaults (before scripts/proxy.jvmopts)", List.of(), List.of()),
        new Lever("xmx64m", "heap capped at 64 MB", List.of("-Xms64m", "-Xmx64m"), List.of()),
        new Lever("xmx32m", "heap capped at 32 MB", List.of("-Xms32m", "-Xmx32m"), List.of()),
        new Lever("serial", "Serial GC", List.of("-XX:+UseSerialGC"), List.of()),
        new Lever("zgc", "ZGC (generational)", List.of("-XX:+UseZGC"), List.of()),
        new Lever("coh", "compact object headers", List.of("-XX:+UseCompactObjectHeaders"), List.of()),
        new Lever("arenas1", "Netty pooled allocator with one direct and one heap arena",
            List.of("-Dio.netty.allocator.numDirectArenas=1", "-Dio.netty.allocator.numHeapArenas=1"), List.of()),
        new Lever("loops1", "one event loop (--concurrency 1)", List.of(), List.of("--concurrency", "1")),
        new Lever("aot-train", "AOT training run: writes the AOT cache at exit (-XX:AOTCacheOutput)",
            List.of("-XX:AOTCacheOutput=" + aotCache), List.of()),
        new Lever("aot", "AOT cache from the training run (-XX:AOTCache)", List.of("-XX:AOTCache=" + aotCache), List.of()),
        new Lever("sidecar", "combined: 64 MB heap, Serial GC, compact headers, one arena (no AOT cache: one trained with other flags is refused)",
            List.of("-Xms64m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders", "-Dio.netty.allocator.numDirectArenas=1",
                "-Dio.netty.allocator.numHeapArenas=1"), List.of()),
        new Lever("baseline-end", "JVM defaults again, last: how far the machine drifted during the table", List.of(), List.of()));
  }
}
