package io.meshwork.bench.jmh;

/** Runs the JMH benchmarks of this package with JMH's own command line (e.g. {@code -f 1 RouteMatch}). */
public final class JmhMain {
  private JmhMain() {}

  public static void main(String[] args) throws Exception {
    org.openjdk.jmh.Main.main(args);
  }
}
