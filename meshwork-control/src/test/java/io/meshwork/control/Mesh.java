package io.meshwork.control;

/** A small mesh for xDS tests: reviews with v1/v2/v3 WorkloadEntries and subsets. */
public final class Mesh {
  private Mesh() {}

  public static String workload(String name, String version, String ip) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: %s
        spec:
          address: %s
          labels: {app: reviews, version: %s}
          ports: {http: 9080}
        """.formatted(name, ip, version);
  }

  public static final String REVIEWS_DR = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: reviews
      spec:
        host: reviews
        subsets:
        - name: v1
          labels: {version: v1}
        - name: v2
          labels: {version: v2}
        - name: v3
          labels: {version: v3}
      """;

  public static String split(int v1, int v2) {
    return Fixtures.vs("reviews", "reviews", """
        http:
        - route:
          - destination: {host: reviews, subset: v1}
            weight: %d
          - destination: {host: reviews, subset: v2}
            weight: %d
        """.formatted(v1, v2));
  }

  public static String all() {
    return String.join("---\n", Fixtures.REVIEWS_SVC, workload("reviews-v1", "v1", "10.0.0.1"), workload("reviews-v2", "v2", "10.0.0.2"),
        REVIEWS_DR, split(80, 20));
  }
}
