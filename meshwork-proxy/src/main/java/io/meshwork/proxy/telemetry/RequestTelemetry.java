package io.meshwork.proxy.telemetry;

import io.meshwork.proxy.transport.PeerIdentity;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The telemetry of one HTTP request, driven by the exchange at fixed points: when the request is
 * forwarded ({@link #onForward}), when the response head arrives ({@link #onResponseHead}), for
 * each response chunk ({@link #onResponseContent}), and once at the end ({@link #finish}), which
 * records the istio_* metrics.
 *
 * <p>Peer metadata exchange over HTTP, as Istio does it: an outbound (client-side) proxy adds
 * {@code x-envoy-peer-metadata-id} and {@code x-envoy-peer-metadata} (its workload, a base64
 * {@code google.protobuf.Struct}) to requests for mesh clusters ({@code outbound|...}); the
 * inbound (server-side) proxy reads them as the source workload, removes them before the app
 * sees the request, and answers with its own in the response headers; the client proxy reads
 * those as the destination workload and removes them before its app sees the response.
 */
public final class RequestTelemetry implements TagExpr.RequestView {
  public static final String PEER_ID = "x-envoy-peer-metadata-id";
  public static final String PEER = "x-envoy-peer-metadata";

  private final ProxyTelemetry telemetry;
  private final ProxyTelemetry.ListenerView listener;
  private final Channel downstream;
  private final long startNanos = System.nanoTime();
  private HttpHeaders requestHeaders;
  private String method = "";
  private String scheme = "";
  private String cluster;
  private WorkloadMetadata responsePeer;
  private boolean grpc;
  private String grpcStatus;
  private GrpcFrames requestFrames;
  private GrpcFrames responseFrames;
  private long responseHeaderBytes;
  private int status;
  private boolean finished;

  RequestTelemetry(ProxyTelemetry telemetry, ProxyTelemetry.ListenerView listener, Channel downstream) {
    this.telemetry = telemetry;
    this.listener = listener;
    this.downstream = downstream;
    telemetry.activeRequestsAdder().increment();
  }

  /** The downstream request head (and its buffered body, for gRPC message counts; empty when streamed). */
  public void onRequest(HttpHeaders headers, String method, String scheme, io.netty.buffer.ByteBuf body) {
    this.requestHeaders = headers;
    this.method = method == null ? "" : method;
    this.scheme = scheme == null ? "" : scheme;
    var ct = headers.get("content-type");
    grpc = ct != null && ct.startsWith("application/grpc");
    if (grpc && body != null && body.isReadable()) {
      onRequestContent(body);
    }
  }

  /**
   * A piece of the request body: the whole aggregated body from {@link #onRequest}, or each chunk of
   * a streamed (gRPC client-streaming or bidirectional) request as the proxy forwards it, so that
   * {@code istio_request_messages_total} counts the messages of a stream, split anywhere.
   */
  public void onRequestContent(io.netty.buffer.ByteBuf chunk) {
    if (!grpc) {
      return;
    }
    if (requestFrames == null) {
      requestFrames = new GrpcFrames();
    }
    requestFrames.feed(chunk);
  }

  private boolean inbound() {
    return listener.inbound(cluster);
  }

  /**
   * The request is about to go to {@code cluster} with {@code upstream} headers: inbound, the peer
   * headers are removed (the app never sees them); outbound to a mesh cluster, ours are added.
   */
  public void onForward(String cluster, HttpHeaders upstream) {
    this.cluster = cluster;
    upstream.remove(PEER);
    upstream.remove(PEER_ID);
    if (!inbound() && cluster != null && cluster.startsWith("outbound|") && telemetry.enabled()) {
      var local = telemetry.local();
      upstream.set(PEER_ID, local.id());
      upstream.set(PEER, telemetry.localHeader());
    }
  }

  /**
   * The response head about to be written downstream ({@code headers} is the copy sent to the
   * client): outbound, the peer's metadata is read and removed; inbound, ours is added.
   */
  public void onResponseHead(HttpHeaders headers) {
    if (inbound()) {
      headers.remove(PEER);
      headers.remove(PEER_ID);
      if (telemetry.enabled()) {
        headers.set(PEER_ID, telemetry.local().id());
        headers.set(PEER, telemetry.localHeader());
      }
    } else {
      var value = headers.get(PEER);
      if (value != null) {
        responsePeer = telemetry.peer(headers.get(PEER_ID, ""), value);
        headers.remove(PEER);
      }
      headers.remove(PEER_ID);
    }
    if (grpc) {
      var s = headers.get("grpc-status");
      if (s != null) {
        grpcStatus = s; // trailers-only response
      }
    }
    responseHeaderBytes = headerBytes(headers);
  }

  /** A response chunk: gRPC message counting and the {@code grpc-status} trailer. */
  public void onResponseContent(HttpContent content) {
    if (!grpc) {
      return;
    }
    if (responseFrames == null) {
      responseFrames = new GrpcFrames();
    }
    responseFrames.feed(content.content());
    if (content instanceof LastHttpContent last) {
      var s = last.trailingHeaders().get("grpc-status");
      if (s != null) {
        grpcStatus = s;
      }
    }
  }

  /**
   * Records the request once: {@code status} (0 when the client left before a response),
   * Envoy's response flags, body bytes each way, and the upstream {@code ip:port} (null if none).
   */
  public void finish(int status, String responseFlags, long requestBodyBytes, long responseBodyBytes, String upstreamHost) {
    if (finished) {
      return;
    }
    finished = true;
    this.status = status;
    telemetry.activeRequestsAdder().decrement();
    if (!telemetry.enabled()) {
      return;
    }
    boolean in = inbound();
    var local = telemetry.local();
    WorkloadMetadata source;
    WorkloadMetadata destination;
    String sourcePrincipal;
    String destinationPrincipal;
    String policy;
    DestinationService service;
    if (in) {
      source = requestHeaders == null ? null : telemetry.peer(requestHeaders.get(PEER_ID, ""), requestHeaders.get(PEER));
      destination = local;
      var id = downstream == null ? PeerIdentity.NONE : PeerIdentity.of(downstream);
      policy = id.securityPolicy();
      sourcePrincipal = id.mutualTls() && !id.spiffeUri().isEmpty() ? id.spiffeUri() : WorkloadMetadata.UNKNOWN;
      destinationPrincipal = id.mutualTls() ? local.principal(trustDomain(id.spiffeUri())) : WorkloadMetadata.UNKNOWN;
      var declared = telemetry.view().declaredService(cluster);
      service = declared != null ? declared
          : DestinationService.ofHost(requestHeaders == null ? null : requestHeaders.get("host"), local.namespace());
    } else {
      source = local;
      destination = responsePeer != null ? responsePeer : telemetry.endpoint(upstreamHost);
      sourcePrincipal = WorkloadMetadata.UNKNOWN;
      destinationPrincipal = WorkloadMetadata.UNKNOWN;
      policy = WorkloadMetadata.UNKNOWN; // Istio: the source side cannot tell the security policy
      service = cluster == null ? DestinationService.ofHost(requestHeaders == null ? null : requestHeaders.get("host"), null)
          : telemetry.view().service(cluster);
    }
    var facts = new LabelFacts(in, source, destination, sourcePrincipal, destinationPrincipal, service,
        grpc ? "grpc" : "http", statusLabel(status), grpc ? (grpcStatus == null ? "" : grpcStatus) : "",
        responseFlags, policy);
    var cells = telemetry.metrics().request(facts, listener.stats(), this);
    if (cells.duration() != null) {
      cells.duration().record((System.nanoTime() - startNanos) / 1_000_000.0);
    }
    if (cells.requestBytes() != null) {
      cells.requestBytes().record(requestBodyBytes + (requestHeaders == null ? 0 : headerBytes(requestHeaders)));
    }
    if (cells.responseBytes() != null) {
      cells.responseBytes().record(responseBodyBytes + responseHeaderBytes);
    }
    if (cells.requestMessages() != null) {
      cells.requestMessages().add(requestFrames == null ? 0 : requestFrames.messages());
    }
    if (cells.responseMessages() != null && responseFrames != null) {
      cells.responseMessages().add(responseFrames.messages());
    }
    // Counted last: a reader (a scrape, a test) that sees the request counted also sees its
    // duration, bytes and message counts.
    if (cells.requests() != null) {
      cells.requests().increment();
    }
  }

  static String trustDomain(String spiffe) {
    if (!spiffe.startsWith("spiffe://")) {
      return "cluster.local";
    }
    int slash = spiffe.indexOf('/', "spiffe://".length());
    return slash < 0 ? spiffe.substring("spiffe://".length()) : spiffe.substring("spiffe://".length(), slash);
  }

  private static long headerBytes(HttpHeaders h) {
    long n = 0;
    // The CharSequence view: the String iterator would convert every name and value to a new String.
    for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
      var e = it.next();
      n += e.getKey().length() + e.getValue().length() + 4; // "name: value\r\n"
    }
    return n;
  }

  private static final String[] STATUS_CODES = new String[600];

  static {
    for (int i = 0; i < STATUS_CODES.length; i++) {
      STATUS_CODES[i] = Integer.toString(i);
    }
  }

  /** The response code as the metric label, without a new String per request for the usual codes. */
  static String statusLabel(int status) {
    return status >= 0 && status < STATUS_CODES.length ? STATUS_CODES[status] : Integer.toString(status);
  }

  // ---- TagExpr.RequestView ----

  @Override
  public String host() {
    return requestHeaders == null ? null : requestHeaders.get("host");
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String scheme() {
    return scheme;
  }

  @Override
  public String protocol() {
    return grpc ? "grpc" : "http";
  }

  @Override
  public String header(String name) {
    return requestHeaders == null ? null : requestHeaders.get(name);
  }

  @Override
  public int responseCode() {
    return status;
  }
}
