package io.meshwork.proxy.telemetry;

/**
 * Istio's standard metrics: the Prometheus name, the short name the stats plugin config uses
 * ({@code requests_total}), whether it is a histogram, and whether it is a TCP metric (TCP metrics
 * have no {@code response_code} or {@code grpc_response_status} label).
 */
public enum IstioMetric {
  REQUESTS_TOTAL("istio_requests_total", "requests_total", false, false),
  REQUEST_DURATION("istio_request_duration_milliseconds", "request_duration_milliseconds", true, false),
  REQUEST_BYTES("istio_request_bytes", "request_bytes", true, false),
  RESPONSE_BYTES("istio_response_bytes", "response_bytes", true, false),
  REQUEST_MESSAGES("istio_request_messages_total", "request_messages_total", false, false),
  RESPONSE_MESSAGES("istio_response_messages_total", "response_messages_total", false, false),
  TCP_SENT_BYTES("istio_tcp_sent_bytes_total", "tcp_sent_bytes_total", false, true),
  TCP_RECEIVED_BYTES("istio_tcp_received_bytes_total", "tcp_received_bytes_total", false, true),
  TCP_CONNECTIONS_OPENED("istio_tcp_connections_opened_total", "tcp_connections_opened_total", false, true),
  TCP_CONNECTIONS_CLOSED("istio_tcp_connections_closed_total", "tcp_connections_closed_total", false, true);

  private final String prometheusName;
  private final String shortName;
  private final boolean histogram;
  private final boolean tcp;

  IstioMetric(String prometheusName, String shortName, boolean histogram, boolean tcp) {
    this.prometheusName = prometheusName;
    this.shortName = shortName;
    this.histogram = histogram;
    this.tcp = tcp;
  }

  public String prometheusName() {
    return prometheusName;
  }

  /** The name in Istio's stats plugin config ({@code requests_total}); also accepted with the {@code istio_} prefix. */
  public String shortName() {
    return shortName;
  }

  public boolean histogram() {
    return histogram;
  }

  public boolean tcp() {
    return tcp;
  }

  /** The metric a stats config names ({@code requests_total} or {@code istio_requests_total}), null if none. */
  public static IstioMetric byName(String name) {
    for (var m : values()) {
      if (m.shortName.equals(name) || m.prometheusName.equals(name)) {
        return m;
      }
    }
    return null;
  }
}
