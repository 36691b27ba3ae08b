package io.meshwork.proxy.config;

import com.google.re2j.Pattern;
import java.time.Duration;
import java.util.List;

/** What a matched route does: forward to a cluster, redirect, or answer directly. */
public sealed interface RouteAction {

  /**
   * {@code route}: forward to one cluster or a weighted choice; rewrite path/host; time out after
   * {@code timeout} (zero: none); retry per {@code retry}; hash per {@code hashPolicies} for
   * RING_HASH/MAGLEV clusters; mirror per {@code mirrors}.
   */
  record Forward(ClusterChoice clusters, String prefixRewrite, Pattern regexRewrite, String regexSubstitution,
      String hostRewrite, Duration timeout, RetryPolicy retry, List<HashPolicy> hashPolicies, List<Mirror> mirrors,
      java.util.Map<String, Boolean> upgradeOverrides) implements RouteAction {
    /** Whether an upgrade of this type may pass, given what the connection manager enables. */
    public boolean allowsUpgrade(String type, java.util.Set<String> enabledByHcm) {
      var override = upgradeOverrides.get(type);
      return override != null ? override : enabledByHcm.contains(type);
    }
  }

  /**
   * {@code request_mirror_policies}: send a copy of {@code numerator/denominator} of the requests to
   * {@code cluster}, fire and forget, with "-shadow" appended to the Host.
   */
  record Mirror(String cluster, int numerator, int denominator) {}

  /** {@code redirect}: a 3xx with a Location built from the request and these parts (null: keep). */
  record Redirect(String scheme, String host, int port, String path, String prefixRewrite, int status,
      boolean stripQuery) implements RouteAction {}

  /** {@code direct_response}: a local reply. */
  record DirectResponse(int status, String body) implements RouteAction {}

  /** The target cluster(s) of a forward. */
  sealed interface ClusterChoice {}

  /** {@code cluster}. */
  record SingleCluster(String name) implements ClusterChoice {}

  /** {@code weighted_clusters}: pick by weight, each with its own header mutations. */
  record WeightedClusters(List<Weighted> clusters, int totalWeight) implements ClusterChoice {
    /** Picks by a number uniform in [0, totalWeight). */
    public Weighted pick(int point) {
      int acc = 0;
      for (var w : clusters) {
        acc += w.weight();
        if (point < acc) {
          return w;
        }
      }
      return clusters.getLast();
    }
  }

  /** One weighted cluster. */
  record Weighted(String name, int weight, HeaderMutations requestHeaders, HeaderMutations responseHeaders) {}
}
