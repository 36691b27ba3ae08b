package io.meshwork.bench.backend;

import io.meshwork.bench.load.Args;
import java.util.concurrent.CountDownLatch;

/**
 * The fake backend's process: {@code [--host 127.0.0.1] --port P [--threads 1] [--response-bytes -1]
 * [--delay-ms 0]}. {@code --response-bytes -1} echoes the request body. Prints {@code ready PORT} on
 * standard error and runs until terminated.
 */
public final class EchoBackendMain {
  private EchoBackendMain() {}

  public static void main(String[] argv) throws Exception {
    EchoBackend backend;
    try {
      var a = new Args(argv);
      backend = EchoBackend.start(a.get("host", "127.0.0.1"), a.getInt("port", 0), a.getInt("threads", 1),
          a.getInt("response-bytes", -1), a.getInt("delay-ms", 0));
    } catch (IllegalArgumentException e) {
      System.err.println("meshwork-backend: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.err.println("ready " + backend.port());
    System.err.flush();
    var stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      backend.close();
      stop.countDown();
    }, "backend-shutdown"));
    stop.await();
  }
}
