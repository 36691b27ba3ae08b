package io.meshwork.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test during which Netty reported a leaked buffer. Netty only logs leaks; this extension
 * installs a {@link ResourceLeakDetectorFactory} whose detectors also record each report, then
 * checks the record after every test and, after forcing garbage collection, after the test class
 * (a leak is only noticed once the leaked buffer has been collected). Run tests with
 * {@code -Dio.netty.leakDetection.level=paranoid} so that every buffer is tracked.
 *
 * <p>The factory must be installed before Netty's buffer classes are initialised, so the install
 * happens in this class's static initialiser; register the extension on every test class that
 * touches Netty, as the first extension.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private static final List<String> LEAKS = new ArrayList<>();

  static {
    install();
  }

  /** Installs the recording factory (idempotent); exposed for tests that are not JUnit classes. */
  public static synchronized void install() {
    if (ResourceLeakDetectorFactory.instance() instanceof RecordingFactory) {
      return;
    }
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
  }

  /** Leaks recorded so far and not yet claimed by a test; clears the record. */
  public static List<String> drainLeaks() {
    synchronized (LEAKS) {
      var copy = List.copyOf(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    drainLeaks();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    failOnLeaks(context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    collectGarbage();
    failOnLeaks(context.getDisplayName() + " (found after the class finished)");
  }

  /** Forces collection and makes Netty's detectors poll their reference queues. */
  public static void collectGarbage() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(20);
      // Detectors report collected-but-unreleased buffers when the next buffer is tracked.
      ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(1);
      probe.release();
    }
  }

  static void failOnLeaks(String where) {
    var leaks = drainLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " Netty buffer leak(s) during " + where + ":\n"
          + String.join("\n----\n", leaks));
    }
  }

  private static void record(String leak) {
    synchronized (LEAKS) {
      LEAKS.add(leak);
    }
  }

  /** Creates detectors that record leaks in addition to logging them. */
  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    @SuppressWarnings("deprecation")
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
      return new RecordingDetector<>(resource, samplingInterval);
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record("LEAK: " + resourceType + ".release() was not called" + records);
      super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record("LEAK: " + resourceType + ".release() was not called (no access records)");
      super.reportUntracedLeak(resourceType);
    }
  }
}
