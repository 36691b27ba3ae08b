package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Port;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;

/**
 * How the proxy of a VM checks that its workload is ready (Kubernetes' probe, one of HTTP GET,
 * TCP connect, a command, or gRPC health), with the usual timing knobs.
 */
public record ReadinessProbe(
    @Min(0) Integer initialDelaySeconds,
    @Min(0) Integer timeoutSeconds,
    @Min(0) Integer periodSeconds,
    @Min(0) Integer successThreshold,
    @Min(0) Integer failureThreshold,
    HTTPHealthCheckConfig httpGet,
    TCPHealthCheckConfig tcpSocket,
    ExecHealthCheckConfig exec,
    GrpcHealthCheckConfig grpc) implements Validatable {

  /** An HTTP GET that must answer 2xx or 3xx. */
  public record HTTPHealthCheckConfig(
      String path, @Required @Port Integer port, String host, String scheme, List<HTTPHeader> httpHeaders)
      implements Validatable {
    @Override
    public void validate(Validation v) {
      if (scheme != null && !scheme.isEmpty() && !scheme.equals("HTTP") && !scheme.equals("HTTPS")) {
        v.invalid("scheme", scheme, "httpGet.scheme must be one of \"HTTPS\", \"HTTP\"");
      }
    }
  }

  /** A request header of an HTTP probe. */
  public record HTTPHeader(@Pattern("^[-_A-Za-z0-9]+$") String name, String value) {}

  /** A TCP connect that must succeed. */
  public record TCPHealthCheckConfig(String host, @Required @Port Integer port) {}

  /** A command run in the workload's environment that must exit 0. */
  public record ExecHealthCheckConfig(List<String> command) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (command.isEmpty()) {
        v.required(v.at("command"), "exec probe must name a command");
      }
    }
  }

  /** A gRPC health check ({@code grpc.health.v1.Health}) on a port, for a service name. */
  public record GrpcHealthCheckConfig(@Required @Port Integer port, String service) {}

  @Override
  public void validate(Validation v) {
    int set = (httpGet != null ? 1 : 0) + (tcpSocket != null ? 1 : 0) + (exec != null ? 1 : 0) + (grpc != null ? 1 : 0);
    if (set > 1) {
      v.invalidObject("only one of httpGet, tcpSocket, exec or grpc can be set");
    } else if (set == 0) {
      v.invalidObject("a probe must set one of httpGet, tcpSocket, exec or grpc");
    }
  }
}
