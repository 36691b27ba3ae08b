package io.meshwork.config.telemetry;

import io.meshwork.config.Kind;
import java.util.List;

/** The telemetry.istio.io kinds (Telemetry). */
public final class TelemetryKinds {
  private TelemetryKinds() {}

  public static final Kind TELEMETRY =
      Kind.istio("telemetry.istio.io", "Telemetry", "telemetries", List.of("v1", "v1alpha1"), Telemetry.class, false);

  public static final List<Kind> ALL = List.of(TELEMETRY);
}
