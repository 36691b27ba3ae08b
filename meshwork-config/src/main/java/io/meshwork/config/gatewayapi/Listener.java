package io.meshwork.config.gatewayapi;

import io.meshwork.config.kube.LabelSelector;
import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.MaxItems;
import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MaxProperties;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import java.util.List;
import java.util.Map;

/**
 * One listener of a Gateway API Gateway: a port, a protocol ({@code HTTP}, {@code HTTPS},
 * {@code TLS}, {@code TCP}, {@code UDP} or a domain-prefixed custom one), an optional hostname,
 * TLS settings and which routes may attach.
 */
public record Listener(
    @Required @MinLength(1) @MaxLength(253) @Pattern(Names.SECTION_NAME) String name,
    @MinLength(1) @MaxLength(253) @Pattern(Names.HOSTNAME) String hostname,
    @Required @Min(1) @Max(65535) Integer port,
    @Required @MinLength(1) @MaxLength(255) @Pattern(Names.PROTOCOL) String protocol,
    GatewayTLSConfig tls,
    AllowedRoutes allowedRoutes) {

  /** Terminate TLS at the gateway, or pass it through by SNI. */
  public enum TLSMode {
    Terminate,
    Passthrough
  }

  /**
   * TLS settings of a listener.
   *
   * @param mode Terminate when absent
   * @param certificateRefs Secrets with the certificate and key (Terminate)
   * @param options implementation-specific options
   */
  public record GatewayTLSConfig(
      TLSMode mode,
      @MaxItems(64) List<SecretObjectReference> certificateRefs,
      @MaxProperties(16) Map<String, @MaxLength(4096) String> options) implements Validatable {
    @Override
    public void validate(Validation v) {
      if ((mode == null || mode == TLSMode.Terminate) && certificateRefs.isEmpty() && options.isEmpty()) {
        v.invalidObject("certificateRefs or options must be specified when mode is Terminate");
      }
    }
  }

  /** A Secret (by default) holding a certificate. */
  public record SecretObjectReference(
      @MaxLength(253) @Pattern(Names.GROUP) String group,
      @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name,
      @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace) {}

  /** Which routes may attach: from which namespaces, and of which kinds. */
  public record AllowedRoutes(RouteNamespaces namespaces, @MaxItems(8) List<RouteGroupKind> kinds) {}

  /** Where attaching routes may live: All, Same (the default) or namespaces matching a Selector. */
  public record RouteNamespaces(FromNamespaces from, LabelSelector selector) implements Validatable {
    @Override
    public void validate(Validation v) {
      if (from == FromNamespaces.Selector && selector == null) {
        v.required(v.at("selector"), "from: Selector needs a namespace label selector");
      }
    }
  }

  /** The namespace policy of AllowedRoutes. */
  public enum FromNamespaces {
    All,
    Selector,
    Same
  }

  /** A route kind ({@code HTTPRoute}, ...) and its group. */
  public record RouteGroupKind(
      @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind) {}
}
