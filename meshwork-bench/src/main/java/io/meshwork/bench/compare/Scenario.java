package io.meshwork.bench.compare;

import java.util.Arrays;
import java.util.List;

/**
 * The rows of the comparison, numbered as in issue 9. {@code notYet} holds the reason a row cannot
 * be measured yet; such rows are printed with that reason instead of figures.
 */
public enum Scenario {
  DIRECT("1", "direct", "client -> backend (no proxy)", null),
  L4_ROUND_ROBIN("2", "l4-rr", "routing mesh: our proxy, TcpProxy listener (virtual address) -> ROUND_ROBIN over 2 backends", null),
  ONE_HOP("3", "hop1", "one sidecar hop: our proxy, HTTP/1.1, plaintext", null),
  TWO_HOPS("4", "hop2", "two sidecar hops (client side + server side), our proxies, plaintext", null),
  TWO_HOPS_MTLS("5", "hop2-mtls", "two sidecar hops with mTLS (SPIFFE certificates, SAN checked), BoringSSL", null),
  TWO_HOPS_MTLS_JDK("5j", "hop2-mtls-jdk", "two sidecar hops with mTLS, JDK TLS (-Dmeshwork.tls.provider=jdk)", null),
  TWO_HOPS_MTLS_TELEMETRY("6", "hop2-mtls-telemetry", "the default mesh: two sidecar hops with mTLS, Istio metrics "
      + "(istio.stats filter, workload metadata, peer metadata exchange, INBOUND/OUTBOUND listeners) and 1% tracing to a Zipkin sink", null),
  HAPROXY_PAIR("7", "haproxy-pair", "HAProxy pair in place of our two proxies (TLS between them)", null),
  HAPROXY_HOP("7r", "haproxy-hop1", "one HAProxy hop, the reference for row 3", null);

  private final String number;
  private final String id;
  private final String description;
  private final String notYet;

  Scenario(String number, String id, String description, String notYet) {
    this.number = number;
    this.id = id;
    this.description = description;
    this.notYet = notYet;
  }

  public String number() {
    return number;
  }

  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  /** Why this row is not measured yet, or null. */
  public String notYet() {
    return notYet;
  }

  public boolean usesHaproxy() {
    return this == HAPROXY_PAIR || this == HAPROXY_HOP;
  }

  /** Whether the row runs over h2c and gRPC too (our plaintext proxies and L4); the others are HTTP/1.1 only for now. */
  public boolean speaksHttp2() {
    return this == DIRECT || this == L4_ROUND_ROBIN || this == ONE_HOP || this == TWO_HOPS;
  }

  public static Scenario byId(String id) {
    return Arrays.stream(values()).filter(s -> s.id.equals(id) || s.number.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown scenario " + id + "; known: "
            + String.join(", ", Arrays.stream(values()).map(Scenario::id).toList())));
  }

  public static List<Scenario> all() {
    return List.of(values());
  }
}
