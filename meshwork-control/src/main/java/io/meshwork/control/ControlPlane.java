package io.meshwork.control;

import io.meshwork.control.rest.RestServer;
import io.meshwork.control.store.ConfigDirectory;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.xds.XdsServer;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A running control plane: store, optional config directory, xDS server and REST API. Ports 0
 * pick free ports (tests). Closing stops everything.
 */
public final class ControlPlane implements AutoCloseable {
  private final ConfigStore store;
  private final ConfigDirectory directory;
  private final XdsServer xds;
  private final RestServer rest;
  private io.meshwork.control.ca.CaServer ca;

  /**
   * What to start.
   *
   * @param configDir a directory of YAML to load and watch, or null
   * @param host the address to bind both servers to
   * @param restPort the REST API port (15014)
   * @param xdsPort the xDS port (15010)
   * @param registrationGrace how long an auto-registered workload outlives its proxy's stream
   * @param debounce quiet period before a push
   * @param allowAny the mesh outbound traffic policy: ALLOW_ANY (true) or REGISTRY_ONLY
   */
  public record Options(Path configDir, String host, int restPort, int xdsPort, Duration registrationGrace, Duration debounce, boolean allowAny) {
    public static Options defaults() {
      return new Options(null, "127.0.0.1", 15014, 15010, Duration.ofSeconds(10), Duration.ofMillis(100), true);
    }

    public Options withPorts(int rest, int xds) {
      return new Options(configDir, host, rest, xds, registrationGrace, debounce, allowAny);
    }

    public Options withConfigDir(Path dir) {
      return new Options(dir, host, restPort, xdsPort, registrationGrace, debounce, allowAny);
    }

    public Options withGrace(Duration grace) {
      return new Options(configDir, host, restPort, xdsPort, grace, debounce, allowAny);
    }

    public Options withHost(String h) {
      return new Options(configDir, h, restPort, xdsPort, registrationGrace, debounce, allowAny);
    }

    public Options withAllowAny(boolean a) {
      return new Options(configDir, host, restPort, xdsPort, registrationGrace, debounce, a);
    }
  }

  /** A port that cannot be bound: the message names it and what to do. */
  public static final class PortInUseException extends IOException {
    PortInUseException(String what, int port) {
      super("port " + port + " (" + what + ") is already in use; stop the process using it or choose another port with --"
          + (what.equals("xDS") ? "xds-port" : what.equals("CA") ? "ca-port" : "port"));
    }
  }

  private ControlPlane(ConfigStore store, ConfigDirectory directory, XdsServer xds, RestServer rest) {
    this.store = store;
    this.directory = directory;
    this.xds = xds;
    this.rest = rest;
  }

  public static ControlPlane start(Options o) throws IOException {
    return start(o, null);
  }

  /**
   * Starts the control plane with its certificate authority ({@code IstioCertificateService} on
   * {@code ca.port()}, the join token and root endpoints on the REST API); {@code ca} null: no CA.
   */
  public static ControlPlane start(Options o, io.meshwork.control.ca.CaSettings ca) throws IOException {
    var cp = startWithoutCa(o);
    if (ca != null) {
      try {
        cp.ca = io.meshwork.control.ca.CaServer.start(ca, o.host(), null);
      } catch (IOException | RuntimeException e) {
        cp.close();
        throw bindError(e instanceof IOException io ? io : new IOException(e.getMessage(), e), "CA", ca.port());
      }
      cp.rest.addContext(io.meshwork.control.ca.CaRestApi.TOKENS, new io.meshwork.control.ca.CaRestApi(cp.ca));
      cp.rest.addContext(io.meshwork.control.ca.CaRestApi.ROOT, new io.meshwork.control.ca.CaRestApi(cp.ca));
    }
    return cp;
  }

  /**
   * Starts the certificate service of a control plane started without one, with the CA and caller
   * authentication of {@code source} (Kubernetes mode, where the CA root comes from a Secret that
   * can only be read once the cluster connection is up). No join token endpoint is served.
   *
   * @param host the address to bind to (the one given in {@link Options#host()})
   * @throws IllegalStateException when a CA is already running
   */
  public void startCa(String host, io.meshwork.control.ca.CaSettings settings, io.meshwork.control.ca.CaSource source) throws IOException {
    if (ca != null) {
      throw new IllegalStateException("the certificate service is already running");
    }
    try {
      ca = io.meshwork.control.ca.CaServer.startWith(settings, host, source);
    } catch (IOException | RuntimeException e) {
      throw bindError(e instanceof IOException io ? io : new IOException(e.getMessage(), e), "CA", settings.port());
    }
    rest.addContext(io.meshwork.control.ca.CaRestApi.ROOT, new io.meshwork.control.ca.CaRestApi(ca));
  }

  private static ControlPlane startWithoutCa(Options o) throws IOException {
    var store = new ConfigStore();
    ConfigDirectory dir = null;
    XdsServer xds = null;
    try {
      if (o.configDir() != null) {
        dir = ConfigDirectory.open(o.configDir(), store);
      }
      xds = new XdsServer(store, o.registrationGrace(), o.debounce(), o.allowAny());
      try {
        xds.start(o.host(), o.xdsPort());
      } catch (IOException e) {
        throw bindError(e, "xDS", o.xdsPort());
      }
      RestServer rest;
      try {
        rest = RestServer.start(o.host(), o.restPort(), store, xds);
      } catch (IOException e) {
        throw bindError(e, "REST API", o.restPort());
      }
      return new ControlPlane(store, dir, xds, rest);
    } catch (IOException | RuntimeException e) {
      if (xds != null) {
        xds.close();
      }
      if (dir != null) {
        dir.close();
      }
      throw e;
    }
  }

  private static IOException bindError(IOException e, String what, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return new PortInUseException(what, port);
      }
    }
    return e;
  }

  public ConfigStore store() {
    return store;
  }

  public XdsServer xds() {
    return xds;
  }

  /** The config directory source, or null. */
  public ConfigDirectory directory() {
    return directory;
  }

  /** Mesh-wide tracing and access log settings (meshConfig's extension providers and defaults). */
  public void meshTelemetry(io.meshwork.control.observability.MeshTelemetry t) {
    xds.meshTelemetry(t);
  }

  public int restPort() {
    return rest.port();
  }

  public int xdsPort() {
    return xds.port();
  }

  /** The certificate authority service, or null when started without one. */
  public io.meshwork.control.ca.CaServer ca() {
    return ca;
  }

  @Override
  public void close() throws IOException {
    if (ca != null) {
      ca.close();
    }
    rest.close();
    xds.close();
    if (directory != null) {
      directory.close();
    }
  }
}
