package io.meshwork.console.graph;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fake sidecar's {@code /stats/prometheus}: Istio's metrics with Istio's full label set for a
 * small voting app. {@link #advance(double)} moves every counter forward by its per-second rate
 * times the given seconds, so a test knows the exact rates the console must compute.
 */
public final class FakeProxy implements AutoCloseable {
  static final double[] BUCKETS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000};
  private final HttpServer server;
  private final Map<String, Double> counters = new LinkedHashMap<>();
  private final Map<String, Double> perSecond = new LinkedHashMap<>();

  FakeProxy() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/stats/prometheus", h -> {
      byte[] body = exposition().getBytes(StandardCharsets.UTF_8);
      h.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      h.sendResponseHeaders(200, body.length);
      h.getResponseBody().write(body);
      h.close();
    });
    server.start();
  }

  /**
   * The voting-app fixture: gateway -> vote (10/s 200 + 1/s 503, mTLS, p95 36.25 ms), the same
   * requests as the gateway reported them, unknown -> vote (0.5/s, plain text), vote -> redis
   * (TCP 1000 + 500 B/s, mTLS) and vote -> api.example.com reported by the source only (2/s).
   */
  public static FakeProxy votingApp() throws IOException {
    var p = new FakeProxy();
    var gwVote200 = FakeProxy.labels("destination", "istio-system", "istio-ingressgateway", "istio-ingressgateway", "unknown",
        "default", "vote-v1", "vote", "v1", "vote", "http", "200", "-", "mutual_tls");
    var gwVote503 = FakeProxy.labels("destination", "istio-system", "istio-ingressgateway", "istio-ingressgateway", "unknown",
        "default", "vote-v1", "vote", "v1", "vote", "http", "503", "-", "mutual_tls");
    p.counter("istio_requests_total", gwVote200, 10);
    p.counter("istio_requests_total", gwVote503, 1);
    // The gateway reports the same requests as source; the destination's numbers must win.
    var srcReported = new java.util.TreeMap<>(gwVote200);
    srcReported.put("reporter", "source");
    srcReported.put("connection_security_policy", "unknown");
    p.counter("istio_requests_total", srcReported, 10);
    var histLabels = new java.util.TreeMap<>(gwVote200);
    histLabels.remove("response_code");
    p.histogram("istio_request_duration_milliseconds", histLabels, 11, new double[] {0, 0, 50 / 110.0, 80 / 110.0, 100 / 110.0, 1});
    p.counter("istio_response_bytes_sum", gwVote200, 4096);
    p.counter("istio_requests_total", FakeProxy.labels("destination", "unknown", "unknown", "unknown", "unknown",
        "default", "vote-v1", "vote", "v1", "vote", "http", "200", "-", "none"), 0.5);
    var tcp = FakeProxy.labels("destination", "default", "vote-v1", "vote", "v1", "default", "redis", "redis", "unknown", "redis", "tcp", "", "-", "mutual_tls");
    tcp.remove("response_code");
    tcp.remove("grpc_response_status");
    tcp.remove("request_protocol");
    p.counter("istio_tcp_sent_bytes_total", tcp, 1000);
    p.counter("istio_tcp_received_bytes_total", tcp, 500);
    p.counter("istio_requests_total", FakeProxy.labels("source", "default", "vote-v1", "vote", "v1",
        "unknown", "unknown", "unknown", "unknown", "api.example.com", "http", "200", "-", "unknown"), 2);

    return p;
  }

  public URI target() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/stats/prometheus");
  }

  /** Labels of one source->destination pair, Istio's full set. */
  static Map<String, String> labels(String reporter, String srcNs, String srcWl, String srcApp, String srcVer,
      String dstNs, String dstWl, String dstApp, String dstVer, String dstSvc, String protocol, String code, String flags, String security) {
    var m = new TreeMap<String, String>();
    m.put("reporter", reporter);
    m.put("source_workload", srcWl);
    m.put("source_workload_namespace", srcNs);
    m.put("source_principal", srcWl.equals("unknown") ? "unknown" : "spiffe://cluster.local/ns/" + srcNs + "/sa/" + srcApp);
    m.put("source_app", srcApp);
    m.put("source_version", srcVer);
    m.put("source_canonical_service", srcApp);
    m.put("source_canonical_revision", srcVer.equals("unknown") ? "latest" : srcVer);
    m.put("source_cluster", srcWl.equals("unknown") ? "unknown" : "Kubernetes");
    m.put("destination_workload", dstWl);
    m.put("destination_workload_namespace", dstNs);
    m.put("destination_principal", dstWl.equals("unknown") ? "unknown" : "spiffe://cluster.local/ns/" + dstNs + "/sa/" + dstApp);
    m.put("destination_app", dstApp);
    m.put("destination_version", dstVer);
    boolean external = dstNs.equals("unknown");
    m.put("destination_service", external ? dstSvc : dstSvc + "." + dstNs + ".svc.cluster.local");
    m.put("destination_service_name", dstSvc);
    m.put("destination_service_namespace", dstNs);
    m.put("destination_canonical_service", dstApp);
    m.put("destination_canonical_revision", dstVer.equals("unknown") ? "latest" : dstVer);
    m.put("destination_cluster", "Kubernetes");
    m.put("request_protocol", protocol);
    m.put("response_code", code);
    m.put("grpc_response_status", "");
    m.put("response_flags", flags);
    m.put("connection_security_policy", security);
    return m;
  }

  /** A counter growing at {@code rate} per second. */
  synchronized void counter(String name, Map<String, String> labels, double rate) {
    String key = name + render(labels);
    counters.putIfAbsent(key, 0.0);
    perSecond.put(key, rate);
  }

  /**
   * A duration histogram (with _sum and _count) receiving {@code perSecond} requests a second,
   * {@code fractions[i]} of them at or below {@code BUCKETS[i]} (cumulative).
   */
  synchronized void histogram(String base, Map<String, String> labels, double perSecond, double[] cumulativeFractions) {
    for (int i = 0; i < BUCKETS.length; i++) {
      var l = new TreeMap<>(labels);
      l.put("le", fmt(BUCKETS[i]));
      counter(base + "_bucket", l, perSecond * cumulativeFractions[Math.min(i, cumulativeFractions.length - 1)]);
    }
    var inf = new TreeMap<>(labels);
    inf.put("le", "+Inf");
    counter(base + "_bucket", inf, perSecond);
    counter(base + "_sum", labels, perSecond * 20);
    counter(base + "_count", labels, perSecond);
  }

  public synchronized void advance(double seconds) {
    perSecond.forEach((k, r) -> counters.merge(k, r * seconds, Double::sum));
  }

  private synchronized String exposition() {
    var sb = new StringBuilder();
    sb.append("# HELP istio_requests_total Total requests.\n# TYPE istio_requests_total counter\n");
    counters.forEach((k, v) -> sb.append(k).append(' ').append(fmt(v)).append('\n'));
    sb.append("# TYPE istio_build gauge\nistio_build{component=\"proxy\",tag=\"1.0\"} 1\n");
    return sb.toString();
  }

  private static String render(Map<String, String> labels) {
    var sb = new StringBuilder("{");
    labels.forEach((k, v) -> sb.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append("\","));
    sb.setLength(sb.length() - 1);
    return sb.append('}').toString();
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
