package io.meshwork.bench.jmh;

import io.meshwork.proxy.config.Route;
import io.meshwork.proxy.config.RouteTable;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Virtual host selection plus route matching over 1,000 routes, as the proxy does per request: the
 * first route, one in the middle (header match), and the catch-all at the end (every route tried).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RouteMatchBenchmark {
  RouteTable table;
  Routes.Head first;
  Routes.Head middle;
  Routes.Head last;

  @Setup
  public void setup() throws Exception {
    table = Routes.table(1000);
    first = new Routes.Head("GET", "/svc1/items", "", "reviews.default.svc:9080", "http", Map.of());
    middle = new Routes.Head("GET", "/svc500/items", "a=1", "reviews.default.svc:9080", "http", Map.of("x-tenant", "t500"));
    last = new Routes.Head("GET", "/nothing/else", "", "reviews.default.svc:9080", "http", Map.of());
  }

  private Route match(Routes.Head h) {
    return table.virtualHost(h.authority()).route(h);
  }

  @Benchmark
  public Route firstRoute() {
    return match(first);
  }

  @Benchmark
  public Route middleRouteWithHeader() {
    return match(middle);
  }

  @Benchmark
  public Route catchAllAfter1000() {
    return match(last);
  }
}
