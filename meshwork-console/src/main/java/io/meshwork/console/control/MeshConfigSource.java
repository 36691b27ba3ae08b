package io.meshwork.console.control;

import java.io.IOException;
import java.time.Clock;

/**
 * The current {@link MeshConfig}, read from the control plane at most once per second: the UI
 * polls several endpoints per refresh and each would otherwise cost the control plane a full
 * config dump. A write through the console ({@link #invalidate}) forces the next read.
 */
public final class MeshConfigSource {
  private static final long TTL_MILLIS = 1000;
  private final ControlPlaneClient client;
  private final Clock clock;
  private MeshConfig cached;
  private long readAt;

  public MeshConfigSource(ControlPlaneClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public ControlPlaneClient client() {
    return client;
  }

  public synchronized MeshConfig current() throws IOException {
    long now = System.nanoTime() / 1_000_000;
    if (cached == null || now - readAt >= TTL_MILLIS) {
      cached = MeshConfig.read(client);
      readAt = now;
    }
    return cached;
  }

  /** The last config read, or null; never calls the control plane (the graph uses this so it never waits on it). */
  public synchronized MeshConfig lastOrNull() {
    return cached;
  }

  public synchronized void invalidate() {
    cached = null;
  }

  Clock clock() {
    return clock;
  }
}
