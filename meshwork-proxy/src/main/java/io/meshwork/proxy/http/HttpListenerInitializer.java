package io.meshwork.proxy.http;

import io.meshwork.proxy.config.HttpConnectionManagerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Builds a downstream HTTP/1.1 pipeline:
 * {@code decoder (hardened) → response encoder → aggregator (413, 100-continue) → DownstreamHandler}.
 * Request bodies are buffered whole (up to the HCM's limit) so that any attempt can be retried;
 * responses are streamed.
 */
public final class HttpListenerInitializer extends ChannelInitializer<SocketChannel> {
  private final String listenerName;
  private final HttpServices services;

  public HttpListenerInitializer(String listenerName, HttpServices services) {
    this.listenerName = listenerName;
    this.services = services;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Limits come from the snapshot current at accept time, so an update applies to new connections.
    var listener = services.snapshots().current().http().get(listenerName);
    if (listener == null) {
      ch.close();
      return;
    }
    HttpConnectionManagerConfig hcm = listener.hcm();
    ch.pipeline()
        .addLast("decoder", new Http1RequestDecoder(16 * 1024, hcm.maxRequestHeadersBytes()))
        .addLast("encoder", new HttpResponseEncoder())
        .addLast("aggregator", new HttpObjectAggregator(hcm.maxRequestBodyBytes(), true))
        .addLast("downstream", new DownstreamHandler(listenerName, services));
  }
}
