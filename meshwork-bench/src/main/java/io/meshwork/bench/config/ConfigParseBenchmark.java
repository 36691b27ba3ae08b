package io.meshwork.bench.config;

import io.meshwork.bench.BenchmarkReport;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.config.codec.SourceDocument;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parse + validate throughput of the configuration model on one thread (one core): generated
 * VirtualServices (header match, weighted routes, retries, timeout, fault) and DestinationRules
 * (subsets, load balancer, connection pool, outlier detection, TLS), half each.
 */
public final class ConfigParseBenchmark {
  /** Results of one run. */
  public record Result(int documents, int rounds, double docsPerSecond, double bestDocsPerSecond, long invalid, String load) {}

  private ConfigParseBenchmark() {}

  public static List<String> generate(int n) {
    var docs = new ArrayList<String>(n);
    for (int i = 0; i < n; i++) {
      docs.add(i % 2 == 0 ? virtualService(i) : destinationRule(i));
    }
    return docs;
  }

  static String virtualService(int i) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: svc-%1$d
          namespace: ns-%2$d
        spec:
          hosts:
          - svc-%1$d
          http:
          - match:
            - headers:
                end-user:
                  exact: jason
              uri:
                prefix: /api/v%2$d
            fault:
              delay:
                percentage:
                  value: 10
                fixedDelay: 5s
            route:
            - destination:
                host: svc-%1$d
                subset: v2
          - route:
            - destination:
                host: svc-%1$d
                subset: v1
              weight: 80
            - destination:
                host: svc-%1$d
                subset: v2
              weight: 20
            timeout: 1.5s
            retries:
              attempts: 3
              perTryTimeout: 500ms
              retryOn: 5xx,connect-failure
        """.formatted(i, i % 50);
  }

  static String destinationRule(int i) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: svc-%1$d
          namespace: ns-%2$d
        spec:
          host: svc-%1$d
          trafficPolicy:
            loadBalancer:
              simple: LEAST_REQUEST
            connectionPool:
              tcp:
                maxConnections: 100
                connectTimeout: 30ms
              http:
                http1MaxPendingRequests: 64
                maxRequestsPerConnection: 10
            outlierDetection:
              consecutive5xxErrors: 7
              interval: 5m
              baseEjectionTime: 15m
            tls:
              mode: ISTIO_MUTUAL
          subsets:
          - name: v1
            labels:
              version: v1
          - name: v2
            labels:
              version: v2
            trafficPolicy:
              loadBalancer:
                simple: ROUND_ROBIN
        """.formatted(i, i % 50);
  }

  public static Result run(int documents, int rounds, PrintStream out) {
    var load = BenchmarkReport.load();
    var texts = generate(documents);
    var loader = ConfigLoader.create();
    var sources = new ArrayList<SourceDocument>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      sources.add(new SourceDocument("generated", i, 1, texts.get(i)));
    }
    long invalid = 0;
    out.printf("config-parse: %d documents, %d warm-up rounds, then %d measured rounds on one thread%n", documents, 2, rounds);
    for (int r = 0; r < 2; r++) {
      for (var s : sources) {
        loader.load(s);
      }
    }
    double total = 0;
    double best = 0;
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      for (var s : sources) {
        for (var d : loader.load(s)) {
          if (!d.valid()) {
            invalid++;
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = documents / seconds;
      total += rate;
      best = Math.max(best, rate);
      out.printf(Locale.ROOT, "  round %d: %.0f documents/s%n", r + 1, rate);
    }
    return new Result(documents, rounds, total / rounds, best, invalid, load);
  }

  public static void main(String[] args) throws IOException {
    int documents = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    var result = run(documents, 5, System.out);
    report(result, System.out, args.length > 1 ? Path.of(args[1]) : null);
  }

  public static void report(Result result, PrintStream out, Path markdown) throws IOException {
    out.printf(Locale.ROOT, "config-parse: mean %.0f documents/s, best %.0f documents/s (target 20,000/s); %d invalid%n",
        result.docsPerSecond(), result.bestDocsPerSecond(), result.invalid());
    if (markdown != null) {
      var body = String.format(Locale.ROOT, """
          ## Configuration: parse + validate (issue 2)

          Measured %s on %s (%s at the start).
          Command: `./meshwork bench config --documents %d`

          | documents | rounds | mean documents/s | best round | target |
          |---|---|---|---|---|
          | %d (VirtualService/DestinationRule, half each) | %d | %.0f | %.0f | 20,000/s on one core |
          """, BenchmarkReport.today(), BenchmarkReport.machine(), result.load(), result.documents(), result.documents(), result.rounds(),
          result.docsPerSecond(), result.bestDocsPerSecond());
      BenchmarkReport.writeSection(markdown, "config-parse", body);
      out.println("config-parse: wrote " + markdown);
    }
  }
}
