package io.meshwork.control.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.xds.XdsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The REST API on 15014: the JDK's HTTP server, one virtual thread per request. */
public final class RestServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RestServer.class.getName());
  /** The API group of Meshwork's own endpoints (batch apply and delete). */
  public static final String BATCH_PREFIX = "/apis/meshwork.io/v1/";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final ResourceApi resources;
  private final DebugApi debug;

  private RestServer(HttpServer server, ConfigStore store, XdsServer xds) {
    this.server = server;
    this.resources = new ResourceApi(store);
    this.debug = new DebugApi(xds, store);
  }

  /** Binds and starts; a port in use is a {@link java.net.BindException}. */
  public static RestServer start(String host, int port, ConfigStore store, XdsServer xds) throws IOException {
    var http = HttpServer.create(new InetSocketAddress(host, port), 128);
    var rs = new RestServer(http, store, xds);
    http.setExecutor(rs.executor);
    http.createContext("/", rs::dispatch);
    http.start();
    return rs;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Serves {@code path} (and below) with {@code handler}; used by optional parts such as the CA's token API. */
  public void addContext(String path, com.sun.net.httpserver.HttpHandler handler) {
    server.createContext(path, handler);
  }

  private void dispatch(HttpExchange ex) throws IOException {
    try {
      var path = ex.getRequestURI().getPath();
      if (path.equals(BATCH_PREFIX + "apply")) {
        resources.apply(ex);
      } else if (path.equals(BATCH_PREFIX + "delete")) {
        resources.deleteBatch(ex);
      } else if (path.startsWith("/debug/") || path.equals("/metrics")) {
        debug.handle(ex);
      } else if (path.equals("/healthz") || path.equals("/ready")) {
        Http.send(ex, 200, "text/plain", "ok\n");
      } else {
        resources.handle(ex);
      }
    } catch (Http.Failure f) {
      Http.status(ex, f.code, f.reason, f.getMessage());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "request " + ex.getRequestURI() + " failed", e);
      Http.status(ex, 500, "InternalError", "internal error: " + e);
    } finally {
      ex.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
