package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code meshwork control}'s telemetry flags: a bad value stops startup with one sentence naming the flag. */
class ControlTelemetryFlagsTest {
  @Test
  void badTelemetryFlagsAreUserErrors() {
    var zipkin = CliRunner.run("control", "--port", "0", "--xds-port", "0", "--tracing-zipkin", "zipkin");
    assertThat(zipkin.exitCode()).isEqualTo(2);
    assertThat(zipkin.err()).contains("--tracing-zipkin needs HOST:PORT").doesNotContain("Exception");
    var otlp = CliRunner.run("control", "--port", "0", "--xds-port", "0", "--tracing-otlp", "grpc://collector:4317");
    assertThat(otlp.exitCode()).isEqualTo(2);
    assertThat(otlp.err()).contains("--tracing-otlp needs an http:// URL");
    var sampling = CliRunner.run("control", "--port", "0", "--xds-port", "0", "--tracing-sampling", "101");
    assertThat(sampling.exitCode()).isEqualTo(2);
    assertThat(sampling.err()).contains("--tracing-sampling must be between 0 and 100");
    var encoding = CliRunner.run("control", "--port", "0", "--xds-port", "0", "--access-log-encoding", "XML");
    assertThat(encoding.exitCode()).isEqualTo(2);
    assertThat(encoding.err()).contains("--access-log-encoding must be TEXT or JSON");
  }

  @Test
  void flagsBuildTheMeshTelemetry() {
    var cmd = new ControlCommand();
    new picocli.CommandLine(cmd).parseArgs("--tracing-zipkin", "zipkin.istio-system:9411", "--tracing-otlp",
        "http://otel:4318/v1/traces", "--tracing-sampling", "5", "--access-log-file", "/dev/stdout", "--access-log-encoding", "json");
    var t = cmd.meshTelemetry();
    assertThat(t.defaultTracing()).containsExactly("zipkin");
    assertThat(t.providers()).containsKeys("zipkin", "otel", "envoy", "envoy-json");
    assertThat(t.defaultSamplingPercent()).isEqualTo(5.0);
    assertThat(t.defaultAccessLogging()).containsExactly("envoy");
    assertThat(((io.meshwork.control.observability.MeshTelemetry.FileAccessLog) t.providers().get("envoy")).json()).isNotNull();
  }
}
