package io.meshwork.config.kube;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.config.schema.Constraints.Lenient;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.types.IntOrString;
import java.util.List;

/**
 * A container of a pod: what the registry and the injector need (image, ports for named target
 * ports and protocol sniffing, env, probes that the sidecar rewrites).
 */
@Lenient
public record Container(
    @Required @MinLength(1) String name,
    String image,
    List<String> command,
    List<String> args,
    String workingDir,
    List<ContainerPort> ports,
    List<EnvVar> env,
    Probe livenessProbe,
    Probe readinessProbe,
    Probe startupProbe,
    String imagePullPolicy,
    JsonNode resources,
    JsonNode securityContext) {

  /** A port the container listens on. */
  @Lenient
  public record ContainerPort(String name, @Required @Port Integer containerPort, Protocol protocol, Integer hostPort, String hostIP) {}

  /** An environment variable: a literal value or a reference ({@code valueFrom}, kept as written). */
  @Lenient
  public record EnvVar(@Required @MinLength(1) String name, String value, JsonNode valueFrom) {}

  /** A health probe: exactly one handler, with timing. */
  @Lenient
  public record Probe(
      HTTPGetAction httpGet,
      TCPSocketAction tcpSocket,
      GRPCAction grpc,
      ExecAction exec,
      Integer initialDelaySeconds,
      Integer timeoutSeconds,
      Integer periodSeconds,
      Integer successThreshold,
      Integer failureThreshold,
      Long terminationGracePeriodSeconds) implements io.meshwork.config.schema.Validatable {
    @Override
    public void validate(io.meshwork.config.schema.Validation v) {
      int handlers = (httpGet != null ? 1 : 0) + (tcpSocket != null ? 1 : 0) + (grpc != null ? 1 : 0) + (exec != null ? 1 : 0);
      if (handlers > 1) {
        v.forbidden(v.path(), "may not specify more than 1 handler type");
      }
    }
  }

  /** An HTTP GET probe. */
  @Lenient
  public record HTTPGetAction(String path, @Required IntOrString port, String host, String scheme, List<HTTPHeader> httpHeaders)
      implements io.meshwork.config.schema.Validatable {
    @Override
    public void validate(io.meshwork.config.schema.Validation v) {
      KubeNames.checkPort(v, v.at("port"), port);
    }
  }

  /** A header sent by an HTTP probe. */
  @Lenient
  public record HTTPHeader(@Required String name, @Required String value) {}

  /** A TCP connect probe. */
  @Lenient
  public record TCPSocketAction(@Required IntOrString port, String host) implements io.meshwork.config.schema.Validatable {
    @Override
    public void validate(io.meshwork.config.schema.Validation v) {
      KubeNames.checkPort(v, v.at("port"), port);
    }
  }

  /** A gRPC health-check probe. */
  @Lenient
  public record GRPCAction(@Required @Port Integer port, String service) {}

  /** A command probe. */
  @Lenient
  public record ExecAction(List<String> command) {}
}
