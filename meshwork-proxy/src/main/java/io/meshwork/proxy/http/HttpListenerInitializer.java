package io.meshwork.proxy.http;

import io.meshwork.proxy.config.HttpConnectionManagerConfig;
import io.meshwork.proxy.runtime.HttpListenerRuntime;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * Builds a downstream HTTP connection's pipeline. The protocol is chosen per connection:
 * <ul>
 *   <li>TLS: {@code SslHandler}, then ALPN picks {@code h2} or {@code http/1.1};</li>
 *   <li>cleartext with codec AUTO: {@link ProtocolSniffer} looks for the HTTP/2 preface (h2c with
 *       prior knowledge) and otherwise serves HTTP/1.1; HTTP1/HTTP2 skip the sniffing.</li>
 * </ul>
 * HTTP/1.1: {@code decoder (hardened) → response encoder → aggregator (413, 100-continue) → DownstreamHandler}.
 * HTTP/2: {@code Http2FrameCodec → Http2MultiplexHandler}; each stream gets
 * {@code Http2StreamFrameToHttpObjectCodec → GrpcRequestStreamer → aggregator → DownstreamHandler}, so
 * routing, retries and the upstream side are shared with HTTP/1.1. Request bodies are buffered whole
 * (up to the limit) so that any attempt can be retried, except gRPC's on HTTP/2, which stream (see
 * {@link GrpcRequestStreamer}: client-streaming and bidirectional calls); responses are streamed.
 */
public final class HttpListenerInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final HttpServices services;
  /** Counts the HTTP/2 mitigations (issue 12); one per stat prefix, shared by this listener's connections. */
  private volatile Http2MitigationCounters h2Counters;

  public HttpListenerInitializer(String listenerName, HttpServices services) {
    this.listenerName = listenerName;
    this.services = services;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Limits and TLS come from the snapshot current at accept time, so an update applies to new connections.
    var listener = services.snapshots().current().http().get(listenerName);
    if (listener == null) {
      ch.close();
      return;
    }
    listener.stats().downstreamCxTotal.inc();
    services.telemetry().connectionOpened(ch);
    var tls = listener.tls();
    if (tls != null) {
      boolean ok = io.meshwork.proxy.mtls.MeshTlsHandlers.downstream(ch, services.tls(), tls, p -> {
        p.addLast("alpn", new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
          @Override
          protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
              http2(ctx.pipeline(), listener);
            } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol) || listener.hcm().codec() != HttpConnectionManagerConfig.Codec.AUTO) {
              http1(ctx.pipeline(), listener, "HTTP/1.1");
            } else {
              // Another ALPN (Istio's marker "istio", which a client offering istio-h2 or istio-http/1.1
              // shares with the server): as Envoy's AUTO codec, the HTTP/2 preface decides.
              cleartext(ctx.pipeline(), listener);
            }
          }
        });
        p.channel().config().setAutoRead(true); // until the protocol is chosen; the HTTP/1.1 handler turns it off again
      }, p -> cleartext(p, listener));
      if (!ok) {
        ch.close(); // the listener needs the workload certificate and the agent has none yet
      }
      return;
    }
    cleartext(ch.pipeline(), listener);
  }

  /** Cleartext: the configured codec, or sniffing for the HTTP/2 preface (AUTO). */
  private void cleartext(ChannelPipeline pipeline, HttpListenerRuntime listener) {
    var ch = pipeline.channel();
    switch (listener.hcm().codec()) {
      case HTTP1 -> http1(ch.pipeline(), listener, "HTTP/1.1");
      case HTTP2 -> http2(ch.pipeline(), listener);
      case AUTO -> ch.pipeline().addLast("sniffer", new ProtocolSniffer(
          p -> http1(p, listener, "HTTP/1.1"), p -> http2(p, listener)));
    }
  }

  void http1(ChannelPipeline p, HttpListenerRuntime listener, String protocol) {
    HttpConnectionManagerConfig hcm = listener.hcm();
    p.channel().config().setAutoRead(false);
    if (!hcm.idleTimeout().isZero()) {
      p.addLast("idle", new io.netty.handler.timeout.IdleStateHandler(0, 0, hcm.idleTimeout().toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    p.addLast("decoder", new Http1RequestDecoder(16 * 1024, hcm.maxRequestHeadersBytes(), hcm.requestHeadersTimeout(),
            listener.stats().downstreamRqHeaderTimeout::inc))
        .addLast("encoder", new HttpResponseEncoder())
        .addLast("aggregator", new Http1RequestAggregator(hcm.maxRequestBodyBytes()))
        .addLast("downstream", new DownstreamHandler(listenerName, services, protocol));
  }

  /**
   * HTTP/2 on this connection. The connection channel reads continuously (HTTP/2 flow control,
   * not AUTO_READ, limits what a peer may send); each stream is served like an HTTP/1.1 exchange.
   */
  void http2(ChannelPipeline p, HttpListenerRuntime listener) {
    var hcm = listener.hcm();
    Channel parent = p.channel();
    parent.config().setAutoRead(true);
    p.addLast("h2", Http2FrameCodecBuilder.forServer()
        .initialSettings(Http2Settings.defaultSettings()
            .maxHeaderListSize(hcm.maxRequestHeadersBytes())
            .maxConcurrentStreams(1024))
        .validateHeaders(true)
        .frameLogger(h2Counters(hcm.statPrefix()))
        .build());
    p.addLast("h2-control-limit", new Http2ControlFrameLimit(listener.stats().http2ControlFlood));
    p.addLast("h2-mitigations", h2Counters(hcm.statPrefix()).streamErrors());
    p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true, true),
            new Http2TrailersOnly(), // a body-less response (gRPC's trailers-only error) stays one HEADERS frame
            new GrpcRequestStreamer(), // gRPC request bodies stream upstream frame by frame, not aggregated
            new HttpObjectAggregator(hcm.maxRequestBodyBytes()),
            new DownstreamHandler(listenerName, services, "HTTP/2"));
      }
    }));
    if (parent.isActive()) {
      parent.read();
    }
  }

  private Http2MitigationCounters h2Counters(String statPrefix) {
    var c = h2Counters;
    if (c == null || !c.statPrefix().equals(statPrefix)) {
      c = new Http2MitigationCounters(services.snapshots().stats(), statPrefix);
      h2Counters = c;
    }
    return c;
  }
}
