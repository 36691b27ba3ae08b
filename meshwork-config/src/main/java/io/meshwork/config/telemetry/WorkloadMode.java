package io.meshwork.config.telemetry;

/** Which side of the traffic a telemetry setting applies to. */
public enum WorkloadMode {
  CLIENT_AND_SERVER,
  CLIENT,
  SERVER
}
