package io.meshwork.control;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts a control plane on loopback with free ports for each test (short grace and debounce). */
public final class ControlPlaneExtension implements BeforeEachCallback, AfterEachCallback {
  private ControlPlane cp;

  public ControlPlane get() {
    return cp;
  }

  public String restBase() {
    return "http://127.0.0.1:" + cp.restPort();
  }

  public String xdsTarget() {
    return "127.0.0.1:" + cp.xdsPort();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(), Duration.ofMillis(20), true));
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    cp.close();
  }
}
