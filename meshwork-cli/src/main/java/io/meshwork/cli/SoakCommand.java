package io.meshwork.cli;

import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.bench.load.LoadGenerator;
import io.meshwork.bench.load.LoadOptions;
import io.meshwork.bench.load.Phase;
import io.meshwork.bench.load.PhaseResult;
import io.meshwork.control.ControlPlane;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshwork bench soak}: the default mesh (a control plane, the service {@code ratings} on an
 * echo backend, and a sidecar proxy in its own JVM following the control plane over xDS) under a
 * fixed rate for a long time. It reports, per window, the requests, errors, p50/p99 latency and the
 * proxy process's resident set size, so that leaks (RSS growing after warm-up) and slow
 * degradation (p99 creeping up) show as trends. It always stops by itself: after the last window,
 * or at the latest {@link #grace} after the planned end, when a watchdog stops the proxy process so
 * that a hung window cannot keep it running. CI runs only a seconds-long version
 * ({@code SoakCommandTest}); the 10-minute run is by hand, see docs/reliability.md.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Run the default mesh at a fixed rate for a long time; report errors, p99 and proxy RSS over time.")
final class SoakCommand implements Callable<Integer> {
  @Option(names = "--duration", defaultValue = "10m", description = "How long to run, e.g. 10m, 1m, 90s (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--rate", defaultValue = "1000", description = "Requests per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--window", description = "Length of each reported window (default: a tenth of the duration, 5 s to 60 s).")
  String window;

  @Option(names = "--connections", defaultValue = "32", description = "Client connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--proxy-jvm", paramLabel = "FLAGS", description = "Extra JVM flags for the proxy process, e.g. \"-Xmx128m\".")
  String proxyJvm;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** How long past the planned end the watchdog waits before it stops the run: a tenth of the duration, 30 s to 2 min. */
  static Duration grace(Duration total) {
    return Duration.ofMillis(Math.clamp(total.toMillis() / 10, 30_000, 120_000));
  }

  static Duration parse(String s, String option) {
    try {
      var t = s.strip().toLowerCase(java.util.Locale.ROOT);
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new UserException(2, option + " \"" + s + "\" is not a duration; write it like 10m, 90s or 500ms");
    }
  }

  static int freePort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The proxy's resident set size in bytes, from /proc (Linux); -1 elsewhere. */
  static long rss(long pid) {
    try {
      for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  @Override
  public Integer call() throws Exception {
    var total = parse(duration, "--duration");
    var win = window != null ? parse(window, "--window")
        : Duration.ofMillis(Math.clamp(total.toMillis() / 10, 5_000, 60_000));
    if (rate <= 0 || connections < 1 || total.compareTo(win) < 0) {
      throw new UserException(2, "--rate and --connections must be positive and --duration at least one --window");
    }
    var out = spec.commandLine().getOut();
    var dir = Files.createTempDirectory("meshwork-soak");
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, 128, 0)) {
      Files.writeString(dir.resolve("mesh.yaml"), """
          apiVersion: v1
          kind: Service
          metadata: {name: ratings}
          spec:
            selector: {app: ratings}
            ports:
            - {name: http, port: 9080}
          ---
          apiVersion: networking.istio.io/v1
          kind: WorkloadEntry
          metadata: {name: ratings-v1}
          spec:
            address: 127.0.0.1
            labels: {app: ratings, version: v1}
            ports: {http: %d}
          """.formatted(backend.port()));
      try (var cp = ControlPlane.start(new ControlPlane.Options(dir, "127.0.0.1", 0, 0,
          Duration.ofSeconds(30), Duration.ofMillis(100), true))) {
        int bind = freePort();
        var cmd = new ArrayList<>(List.of(BenchCommand.javaCommand()));
        if (proxyJvm != null && !proxyJvm.isBlank()) {
          cmd.addAll(List.of(proxyJvm.strip().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "proxy",
            "--control-plane", "127.0.0.1:" + cp.xdsPort(), "--workload", "soak-client",
            "--upstream-bind", "ratings:9080=127.0.0.1:" + bind, "--admin", "127.0.0.1:" + freePort(), "--prometheus-port", "-1"));
        var log = dir.resolve("proxy.log");
        var proxy = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        var finished = new java.util.concurrent.CountDownLatch(1);
        var timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        long limitMillis = Duration.ofSeconds(60).plus(total).plus(grace(total)).toMillis(); // startup + run + grace
        var watchdog = Thread.ofPlatform().daemon().name("soak-watchdog").start(() -> {
          try {
            if (!finished.await(limitMillis, TimeUnit.MILLISECONDS)) {
              timedOut.set(true);
              proxy.destroyForcibly(); // pending requests fail, the window returns, the loop below ends
            }
          } catch (InterruptedException e) {
            // the run finished
          }
        });
        try {
          awaitServing(bind, proxy, log);
          out.printf("soak: %s at %.0f rps, windows of %d s; proxy pid %d (log %s)%n", duration, rate, win.toSeconds(),
              proxy.pid(), log);
          out.printf("%6s %8s %8s %7s %8s %8s %9s%n", "t(s)", "requests", "errors", "missed", "p50 ms", "p99 ms", "RSS MB");
          int windows = (int) (total.toMillis() / win.toMillis());
          long errors = 0;
          long requests = 0;
          var rows = new ArrayList<long[]>();
          var p99s = new ArrayList<Double>();
          for (int i = 0; i < windows && !timedOut.get(); i++) {
            var phase = new Phase("w" + (i + 1), rate, i == 0 ? 2_000 : 0, win.toMillis(), 0);
            PhaseResult r;
            try (var gen = new LoadGenerator(new LoadOptions("127.0.0.1", bind, "/ratings/1", connections, 1, 0, List.of(phase)))) {
              r = gen.run(null).getFirst();
            }
            long rss = rss(proxy.pid());
            errors += r.errors();
            requests += r.requests();
            p99s.add(r.latency().p99());
            rows.add(new long[] {r.requests(), r.errors(), rss});
            out.printf("%6d %8d %8d %7d %8.2f %8.2f %9.1f%n", (i + 1) * win.toSeconds(), r.requests(), r.errors(), r.missed(),
                r.latency().p50(), r.latency().p99(), rss / 1048576.0);
            out.flush();
            if (timedOut.get()) {
              out.printf("soak: stopped %d s after the planned end (watchdog); see %s%n", grace(total).toSeconds(), log);
              return 1;
            }
            if (!proxy.isAlive()) {
              out.println("soak: the proxy process exited (code " + proxy.exitValue() + "); see " + log);
              return 1;
            }
          }
          long rssFirst = rows.getFirst()[2];
          long rssLast = rows.getLast()[2];
          out.printf("soak: %d requests, %d errors; p99 first window %.2f ms, last %.2f ms, max %.2f ms; RSS %.1f MB -> %.1f MB%n",
              requests, errors, p99s.getFirst(), p99s.getLast(), p99s.stream().mapToDouble(d -> d).max().orElse(0),
              rssFirst / 1048576.0, rssLast / 1048576.0);
          return errors == 0 ? 0 : 1;
        } finally {
          finished.countDown();
          watchdog.interrupt();
          out.flush();
          proxy.destroy();
          if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
            proxy.destroyForcibly();
          }
        }
      }
    }
  }

  private static void awaitServing(int port, Process proxy, Path log) throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!proxy.isAlive()) {
        throw new UserException(1, "the proxy process exited before it served; see " + log);
      }
      try {
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/ratings/1")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // the listener is not bound yet
      }
      Thread.sleep(200);
    }
    throw new UserException(1, "the proxy did not serve ratings:9080 within 60 s; see " + log);
  }
}
