package io.meshwork.control.translate;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.meshwork.config.networking.Destination;
import io.meshwork.config.networking.HTTPFaultInjection;
import io.meshwork.config.networking.HTTPMatchRequest;
import io.meshwork.config.networking.HTTPRoute;
import io.meshwork.config.networking.Headers;
import java.util.ArrayList;
import java.util.List;

/**
 * One Istio HTTP route as Envoy routes: one Envoy route per match (the matches of an Istio route are
 * ORed), each with the same action. Istio's defaults where the route is silent: no timeout
 * ({@code 0s}) and 2 retries on {@code connect-failure,refused-stream,unavailable,cancelled}.
 */
final class RouteBuilder {
  static final String DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled";
  static final int DEFAULT_RETRIES = 2;
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  static final String CORS_FILTER = "envoy.filters.http.cors";

  /** Resolves a destination written in namespace {@code ns} to a cluster name. */
  interface Clusters {
    String cluster(Destination d, String ns, int listenerPort);

    /** The consistent-hash policy of the destination's DestinationRule (none by default). */
    default List<RouteAction.HashPolicy> hashPolicy(Destination d, String ns) {
      return List.of();
    }
  }

  /** Decides whether a match applies to this proxy and listener (port, sourceLabels, sourceNamespace, gateways). */
  interface MatchFilter {
    boolean applies(HTTPMatchRequest m);
  }

  private RouteBuilder() {}

  static List<Route> build(HTTPRoute r, String ns, int port, Clusters clusters, MatchFilter filter) {
    var out = new ArrayList<Route>();
    var matches = r.match().isEmpty() ? java.util.Collections.<HTTPMatchRequest>singletonList(null) : r.match();
    for (var m : matches) {
      if (m != null && !filter.applies(m)) {
        continue;
      }
      var b = Route.newBuilder().setMatch(Matchers.routeMatch(m));
      var name = r.name() == null ? "" : r.name();
      if (m != null && m.name() != null) {
        name = name.isEmpty() ? m.name() : name + "." + m.name();
      }
      if (!name.isEmpty()) {
        b.setName(name);
      }
      action(b, r, ns, port, clusters);
      out.add(b.build());
    }
    return out;
  }

  /** The route of a service without VirtualService: everything to its default cluster. */
  static Route defaultRoute(String cluster) {
    return Route.newBuilder().setName("default").setMatch(Matchers.routeMatch(null))
        .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Protos.millis(0)).setRetryPolicy(defaultRetry())).build();
  }

  static RetryPolicy defaultRetry() {
    return RetryPolicy.newBuilder().setRetryOn(DEFAULT_RETRY_ON).setNumRetries(UInt32Value.of(DEFAULT_RETRIES)).build();
  }

  private static void action(Route.Builder b, HTTPRoute r, String ns, int port, Clusters clusters) {
    headers(b, r.headers());
    if (r.redirect() != null) {
      b.setRedirect(redirect(r.redirect()));
      return;
    }
    if (r.directResponse() != null) {
      var d = DirectResponseAction.newBuilder().setStatus(r.directResponse().status());
      var body = r.directResponse().body();
      if (body != null && body.string() != null) {
        d.setBody(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineString(body.string()));
      } else if (body != null && body.bytes() != null) {
        d.setBody(io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder()
            .setInlineBytes(com.google.protobuf.ByteString.copyFrom(java.util.Base64.getDecoder().decode(body.bytes()))));
      }
      b.setDirectResponse(d);
      return;
    }
    var a = RouteAction.newBuilder();
    var dests = r.route().stream().filter(d -> d.weight() > 0 || r.route().size() == 1).toList();
    if (dests.size() == 1) {
      a.setCluster(clusters.cluster(dests.getFirst().destination(), ns, port));
      if (dests.getFirst().headers() != null) {
        headers(b, dests.getFirst().headers());
      }
    } else {
      var w = WeightedCluster.newBuilder();
      for (var d : dests) {
        var cw = WeightedCluster.ClusterWeight.newBuilder().setName(clusters.cluster(d.destination(), ns, port))
            .setWeight(UInt32Value.of(d.weight()));
        var h = d.headers();
        if (h != null && h.request() != null) {
          cw.addAllRequestHeadersToAdd(Protos.headerOptions(h.request().set(), h.request().add()))
              .addAllRequestHeadersToRemove(h.request().remove());
        }
        if (h != null && h.response() != null) {
          cw.addAllResponseHeadersToAdd(Protos.headerOptions(h.response().set(), h.response().add()))
              .addAllResponseHeadersToRemove(h.response().remove());
        }
        w.addClusters(cw);
      }
      a.setWeightedClusters(w);
    }
    a.setTimeout(r.timeout() == null ? Protos.millis(0) : Protos.duration(r.timeout()));
    if (!dests.isEmpty()) {
      a.addAllHashPolicy(clusters.hashPolicy(dests.getFirst().destination(), ns));
    }
    retry(a, r);
    if (r.rewrite() != null) {
      var rw = r.rewrite();
      if (rw.uri() != null && !rw.uri().isEmpty()) {
        a.setPrefixRewrite(rw.uri());
      } else if (rw.uriRegexRewrite() != null) {
        a.setRegexRewrite(RegexMatchAndSubstitute.newBuilder().setPattern(RegexMatcher.newBuilder().setRegex(rw.uriRegexRewrite().match()))
            .setSubstitution(rw.uriRegexRewrite().rewrite()));
      }
      if (rw.authority() != null && !rw.authority().isEmpty()) {
        a.setHostRewriteLiteral(rw.authority());
      }
    }
    mirrors(a, r, ns, port, clusters);
    b.setRoute(a);
    if (r.fault() != null) {
      b.putTypedPerFilterConfig(FAULT_FILTER, Protos.any(fault(r.fault())));
    }
    if (r.corsPolicy() != null) {
      b.putTypedPerFilterConfig(CORS_FILTER, Protos.any(cors(r.corsPolicy())));
    }
  }

  private static void retry(RouteAction.Builder a, HTTPRoute r) {
    var rt = r.retries();
    if (rt == null) {
      a.setRetryPolicy(defaultRetry());
      return;
    }
    if (rt.attempts() == 0) {
      return;
    }
    var p = RetryPolicy.newBuilder().setNumRetries(UInt32Value.of(rt.attempts()))
        .setRetryOn(rt.retryOn() == null || rt.retryOn().isEmpty() ? DEFAULT_RETRY_ON : rt.retryOn());
    if (rt.perTryTimeout() != null) {
      p.setPerTryTimeout(Protos.duration(rt.perTryTimeout()));
    }
    if (rt.backoff() != null) {
      p.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Protos.duration(rt.backoff())));
    }
    var codes = new ArrayList<Integer>();
    for (var s : p.getRetryOn().split(",")) {
      if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
        codes.add(Integer.parseInt(s));
      }
    }
    if (!codes.isEmpty()) {
      var on = new ArrayList<String>();
      for (var s : p.getRetryOn().split(",")) {
        if (!s.chars().allMatch(Character::isDigit)) {
          on.add(s);
        }
      }
      on.add("retriable-status-codes");
      p.setRetryOn(String.join(",", on)).addAllRetriableStatusCodes(codes);
    }
    a.setRetryPolicy(p);
  }

  private static void mirrors(RouteAction.Builder a, HTTPRoute r, String ns, int port, Clusters clusters) {
    if (r.mirror() != null) {
      double pct = r.mirrorPercentage() != null ? r.mirrorPercentage().value() : r.mirrorPercent() != null ? r.mirrorPercent() : 100;
      a.addRequestMirrorPolicies(mirror(clusters.cluster(r.mirror(), ns, port), pct));
    }
    for (var m : r.mirrors()) {
      a.addRequestMirrorPolicies(mirror(clusters.cluster(m.destination(), ns, port), m.percentage() == null ? 100 : m.percentage().value()));
    }
  }

  private static RouteAction.RequestMirrorPolicy mirror(String cluster, double pct) {
    return RouteAction.RequestMirrorPolicy.newBuilder().setCluster(cluster)
        .setRuntimeFraction(RuntimeFractionalPercent.newBuilder().setDefaultValue(Protos.percent(pct))).build();
  }

  private static void headers(Route.Builder b, Headers h) {
    if (h == null) {
      return;
    }
    if (h.request() != null) {
      b.addAllRequestHeadersToAdd(Protos.headerOptions(h.request().set(), h.request().add())).addAllRequestHeadersToRemove(h.request().remove());
    }
    if (h.response() != null) {
      b.addAllResponseHeadersToAdd(Protos.headerOptions(h.response().set(), h.response().add()))
          .addAllResponseHeadersToRemove(h.response().remove());
    }
  }

  private static RedirectAction redirect(io.meshwork.config.networking.HTTPRedirect r) {
    var b = RedirectAction.newBuilder();
    if (r.uri() != null && !r.uri().isEmpty()) {
      b.setPathRedirect(r.uri());
    }
    if (r.authority() != null && !r.authority().isEmpty()) {
      b.setHostRedirect(r.authority());
    }
    if (r.port() != null) {
      b.setPortRedirect(r.port());
    }
    if (r.scheme() != null && !r.scheme().isEmpty()) {
      b.setSchemeRedirect(r.scheme());
    }
    int code = r.redirectCode() == null || r.redirectCode() == 0 ? 301 : r.redirectCode();
    b.setResponseCode(switch (code) {
      case 302 -> RedirectAction.RedirectResponseCode.FOUND;
      case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
      case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
      case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
      default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
    });
    return b.build();
  }

  static HTTPFault fault(HTTPFaultInjection f) {
    var b = HTTPFault.newBuilder();
    if (f.delay() != null && f.delay().fixedDelay() != null) {
      var d = f.delay();
      double pct = d.percentage() != null ? d.percentage().value() : d.percent() != null ? d.percent() : 100;
      b.setDelay(FaultDelay.newBuilder().setFixedDelay(Protos.duration(d.fixedDelay())).setPercentage(Protos.percent(pct)));
    }
    if (f.abort() != null) {
      var ab = f.abort();
      var a = FaultAbort.newBuilder().setPercentage(Protos.percent(ab.percentage() != null ? ab.percentage().value() : 100));
      if (ab.httpStatus() != null) {
        a.setHttpStatus(ab.httpStatus());
      } else if (ab.grpcStatus() != null) {
        a.setGrpcStatus(io.grpc.Status.Code.valueOf(ab.grpcStatus()).value());
      }
      b.setAbort(a);
    }
    return b.build();
  }

  static CorsPolicy cors(io.meshwork.config.networking.CorsPolicy c) {
    var b = CorsPolicy.newBuilder();
    for (var o : c.allowOrigins()) {
      var sm = Matchers.string(o);
      if (sm != null) {
        b.addAllowOriginStringMatch(sm);
      }
    }
    for (var o : c.allowOrigin()) {
      b.addAllowOriginStringMatch(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder().setExact(o));
    }
    if (!c.allowMethods().isEmpty()) {
      b.setAllowMethods(String.join(",", c.allowMethods()));
    }
    if (!c.allowHeaders().isEmpty()) {
      b.setAllowHeaders(String.join(",", c.allowHeaders()));
    }
    if (!c.exposeHeaders().isEmpty()) {
      b.setExposeHeaders(String.join(",", c.exposeHeaders()));
    }
    if (c.maxAge() != null) {
      b.setMaxAge(Long.toString(c.maxAge().nanos() / 1_000_000_000L));
    }
    if (c.allowCredentials() != null) {
      b.setAllowCredentials(BoolValue.of(c.allowCredentials()));
    }
    return b.build();
  }
}
