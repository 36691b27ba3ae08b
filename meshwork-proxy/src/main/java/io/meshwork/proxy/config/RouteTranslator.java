package io.meshwork.proxy.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Translates {@code RouteConfiguration} and its parts into {@link RouteTable} and friends. */
final class RouteTranslator {
  private static final Set<String> RETRY_ON = Set.of("5xx", "gateway-error", "reset", "connect-failure",
      "retriable-4xx", "refused-stream", "retriable-status-codes",
      // gRPC conditions (Istio's default policy names cancelled and unavailable): matched on the
      // grpc-status of a trailers-only response (RetryPolicy.retriesGrpcStatus).
      "cancelled", "unavailable", "deadline-exceeded", "resource-exhausted", "internal");

  private RouteTranslator() {}

  /** {@code clusters}: the known cluster names routes must name, or null when route targets are not validated (Envoy's validate_clusters false). */
  static RouteTable table(RouteConfiguration rc, String path, Set<String> clusters, boolean stripAnyPort)
      throws ConfigException {
    var vhosts = new ArrayList<VirtualHost>();
    var seenDomains = new HashSet<String>();
    for (int i = 0; i < rc.getVirtualHostsCount(); i++) {
      var vh = rc.getVirtualHosts(i);
      var vPath = path + ".virtual_hosts[" + i + "]";
      if (vh.getDomainsCount() == 0) {
        throw new ConfigException(vPath + ".domains", "a virtual host needs at least one domain");
      }
      for (int d = 0; d < vh.getDomainsCount(); d++) {
        if (!seenDomains.add(vh.getDomains(d).toLowerCase(java.util.Locale.ROOT))) {
          throw new ConfigException(vPath + ".domains[" + d + "]",
              "domain \"" + vh.getDomains(d) + "\" is already served by another virtual host");
        }
      }
      var retry = vh.hasRetryPolicy() ? retry(vh.getRetryPolicy(), vPath + ".retry_policy") : RetryPolicy.NONE;
      var routes = new ArrayList<Route>();
      for (int r = 0; r < vh.getRoutesCount(); r++) {
        routes.add(route(vh.getRoutes(r), vPath + ".routes[" + r + "]", clusters, retry));
      }
      vhosts.add(new VirtualHost(vh.getName(), List.copyOf(vh.getDomainsList()), List.copyOf(routes),
          mutations(vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList()),
          mutations(vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList()), retry));
    }
    return new RouteTable(rc.getName(), vhosts,
        mutations(rc.getRequestHeadersToAddList(), rc.getRequestHeadersToRemoveList()),
        mutations(rc.getResponseHeadersToAddList(), rc.getResponseHeadersToRemoveList()), stripAnyPort);
  }

  static Route route(io.envoyproxy.envoy.config.route.v3.Route r, String path, Set<String> clusters,
      RetryPolicy vhostRetry) throws ConfigException {
    var match = match(r.getMatch(), path + ".match");
    FaultConfig fault = null;
    CorsConfig cors = null;
    for (var e : new java.util.TreeMap<>(r.getTypedPerFilterConfigMap()).entrySet()) {
      var fPath = path + ".typed_per_filter_config[" + e.getKey() + "]";
      try {
        if (e.getValue().is(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.class)) {
          fault = FaultTranslator.fault(e.getValue().unpack(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.class), fPath);
        } else if (e.getValue().is(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.class)) {
          cors = cors(e.getValue().unpack(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.class), fPath);
        } else {
          throw new ConfigException(fPath, "per-route config " + e.getValue().getTypeUrl()
              + " is not supported yet (supported: HTTPFault, CorsPolicy)");
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
        throw new ConfigException(fPath, "cannot be decoded (" + ex.getMessage() + ")");
      }
    }
    RouteAction action = switch (r.getActionCase()) {
      case ROUTE -> forward(r.getRoute(), path + ".route", clusters, vhostRetry);
      case REDIRECT -> redirect(r.getRedirect(), path + ".redirect");
      case DIRECT_RESPONSE -> {
        var dr = r.getDirectResponse();
        if (dr.getStatus() < 200 || dr.getStatus() >= 600) {
          throw new ConfigException(path + ".direct_response.status", "status must be in [200, 600)");
        }
        String body = switch (dr.getBody().getSpecifierCase()) {
          case INLINE_STRING -> dr.getBody().getInlineString();
          case INLINE_BYTES -> dr.getBody().getInlineBytes().toStringUtf8();
          case SPECIFIER_NOT_SET -> "";
          default -> throw new ConfigException(path + ".direct_response.body", "only inline bodies are supported");
        };
        yield new RouteAction.DirectResponse(dr.getStatus(), body);
      }
      default -> throw new ConfigException(path, "a route needs one of route, redirect or direct_response");
    };
    return new Route(r.getName(), match, action,
        mutations(r.getRequestHeadersToAddList(), r.getRequestHeadersToRemoveList()),
        mutations(r.getResponseHeadersToAddList(), r.getResponseHeadersToRemoveList()), fault, cors,
        r.hasDecorator() && !r.getDecorator().getOperation().isEmpty() ? r.getDecorator().getOperation() : null);
  }

  static CorsConfig cors(io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy c, String path) throws ConfigException {
    if (c.hasFilterEnabled() || c.hasShadowEnabled()) {
      throw new ConfigException(path + ".filter_enabled", "runtime fractions for CORS are not supported yet");
    }
    var origins = new ArrayList<StringMatcher>();
    for (int i = 0; i < c.getAllowOriginStringMatchCount(); i++) {
      origins.add(string(c.getAllowOriginStringMatch(i), path + ".allow_origin_string_match[" + i + "]"));
    }
    return new CorsConfig(List.copyOf(origins), c.getAllowMethods(), c.getAllowHeaders(), c.getExposeHeaders(), c.getMaxAge(),
        c.hasAllowCredentials() && c.getAllowCredentials().getValue());
  }

  static RouteMatch match(io.envoyproxy.envoy.config.route.v3.RouteMatch m, String path) throws ConfigException {
    boolean cs = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
    PathMatcher pm = switch (m.getPathSpecifierCase()) {
      case PREFIX -> new PathMatcher.Prefix(m.getPrefix(), cs);
      case PATH -> new PathMatcher.Exact(m.getPath(), cs);
      case SAFE_REGEX -> new PathMatcher.Regex(regex(m.getSafeRegex().getRegex(), path + ".safe_regex.regex", !cs));
      case PATH_SEPARATED_PREFIX -> {
        var p = m.getPathSeparatedPrefix();
        if (p.endsWith("/") || p.contains("?") || p.contains("#")) {
          throw new ConfigException(path + ".path_separated_prefix", "must not end with '/' or contain '?' or '#'");
        }
        yield new PathMatcher.SeparatedPrefix(p, cs);
      }
      case PATHSPECIFIER_NOT_SET -> throw new ConfigException(path, "a route match needs prefix, path, safe_regex or path_separated_prefix");
      default -> throw new ConfigException(path, "path specifier " + m.getPathSpecifierCase() + " is not supported yet");
    };
    if (m.hasRuntimeFraction()) {
      throw new ConfigException(path + ".runtime_fraction", "runtime fractions are not supported yet");
    }
    if (m.hasGrpc()) {
      throw new ConfigException(path + ".grpc", "gRPC route matching is not supported yet");
    }
    var headers = new ArrayList<HeaderMatcher>();
    for (int i = 0; i < m.getHeadersCount(); i++) {
      headers.add(header(m.getHeaders(i), path + ".headers[" + i + "]"));
    }
    var query = new ArrayList<QueryParamMatcher>();
    for (int i = 0; i < m.getQueryParametersCount(); i++) {
      var q = m.getQueryParameters(i);
      var qPath = path + ".query_parameters[" + i + "]";
      StringMatcher sm = switch (q.getQueryParameterMatchSpecifierCase()) {
        case STRING_MATCH -> string(q.getStringMatch(), qPath + ".string_match");
        case PRESENT_MATCH -> null;
        default -> throw new ConfigException(qPath, "set string_match or present_match");
      };
      query.add(new QueryParamMatcher(q.getName(), sm));
    }
    return new RouteMatch(pm, List.copyOf(headers), List.copyOf(query));
  }

  @SuppressWarnings("deprecation")
  static HeaderMatcher header(io.envoyproxy.envoy.config.route.v3.HeaderMatcher h, String path) throws ConfigException {
    if (h.getName().isEmpty()) {
      throw new ConfigException(path + ".name", "a header matcher needs a name");
    }
    var name = h.getName();
    StringMatcher sm;
    boolean present = false;
    switch (h.getHeaderMatchSpecifierCase()) {
      case EXACT_MATCH -> sm = StringMatcher.of(StringMatcher.Kind.EXACT, h.getExactMatch(), false);
      case PREFIX_MATCH -> sm = StringMatcher.of(StringMatcher.Kind.PREFIX, h.getPrefixMatch(), false);
      case SUFFIX_MATCH -> sm = StringMatcher.of(StringMatcher.Kind.SUFFIX, h.getSuffixMatch(), false);
      case CONTAINS_MATCH -> sm = StringMatcher.of(StringMatcher.Kind.CONTAINS, h.getContainsMatch(), false);
      case SAFE_REGEX_MATCH -> sm = new StringMatcher(StringMatcher.Kind.REGEX, h.getSafeRegexMatch().getRegex(), false,
          regex(h.getSafeRegexMatch().getRegex(), path + ".safe_regex_match.regex", false));
      case STRING_MATCH -> sm = string(h.getStringMatch(), path + ".string_match");
      case PRESENT_MATCH -> {
        sm = null;
        present = h.getPresentMatch();
      }
      case HEADERMATCHSPECIFIER_NOT_SET -> {
        // Envoy: no specifier means "the header is present".
        sm = null;
        present = true;
      }
      default -> throw new ConfigException(path, "header match " + h.getHeaderMatchSpecifierCase() + " is not supported yet");
    }
    return new HeaderMatcher(name, sm, present, h.getInvertMatch(), h.getTreatMissingHeaderAsEmpty());
  }

  static StringMatcher string(io.envoyproxy.envoy.type.matcher.v3.StringMatcher s, String path) throws ConfigException {
    boolean ic = s.getIgnoreCase();
    return switch (s.getMatchPatternCase()) {
      case EXACT -> StringMatcher.of(StringMatcher.Kind.EXACT, s.getExact(), ic);
      case PREFIX -> StringMatcher.of(StringMatcher.Kind.PREFIX, s.getPrefix(), ic);
      case SUFFIX -> StringMatcher.of(StringMatcher.Kind.SUFFIX, s.getSuffix(), ic);
      case CONTAINS -> StringMatcher.of(StringMatcher.Kind.CONTAINS, s.getContains(), ic);
      case SAFE_REGEX -> new StringMatcher(StringMatcher.Kind.REGEX, s.getSafeRegex().getRegex(), false,
          regex(s.getSafeRegex().getRegex(), path + ".safe_regex.regex", false));
      default -> throw new ConfigException(path, "string matcher " + s.getMatchPatternCase() + " is not supported");
    };
  }

  static Pattern regex(String re, String path, boolean ignoreCase) throws ConfigException {
    try {
      return Pattern.compile(re, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(path, "invalid RE2 regex (" + e.getMessage() + ")");
    }
  }

  // WeightedCluster.total_weight is deprecated but still validated when present, as Envoy does.
  @SuppressWarnings("deprecation")
  static RouteAction.Forward forward(io.envoyproxy.envoy.config.route.v3.RouteAction a, String path, Set<String> clusters,
      RetryPolicy vhostRetry) throws ConfigException {
    RouteAction.ClusterChoice choice = switch (a.getClusterSpecifierCase()) {
      case CLUSTER -> {
        checkCluster(a.getCluster(), path + ".cluster", clusters);
        yield new RouteAction.SingleCluster(a.getCluster());
      }
      case WEIGHTED_CLUSTERS -> {
        var wc = a.getWeightedClusters();
        var list = new ArrayList<RouteAction.Weighted>();
        int total = 0;
        for (int i = 0; i < wc.getClustersCount(); i++) {
          var c = wc.getClusters(i);
          var cPath = path + ".weighted_clusters.clusters[" + i + "]";
          checkCluster(c.getName(), cPath + ".name", clusters);
          int w = c.hasWeight() ? c.getWeight().getValue() : 0;
          total += w;
          list.add(new RouteAction.Weighted(c.getName(), w,
              mutations(c.getRequestHeadersToAddList(), c.getRequestHeadersToRemoveList()),
              mutations(c.getResponseHeadersToAddList(), c.getResponseHeadersToRemoveList())));
        }
        if (list.isEmpty() || total <= 0) {
          throw new ConfigException(path + ".weighted_clusters", "needs at least one cluster with a positive weight");
        }
        if (wc.hasTotalWeight() && wc.getTotalWeight().getValue() != total) {
          throw new ConfigException(path + ".weighted_clusters.total_weight",
              "is " + wc.getTotalWeight().getValue() + " but the weights add up to " + total);
        }
        yield new RouteAction.WeightedClusters(List.copyOf(list), total);
      }
      default -> throw new ConfigException(path, "set cluster or weighted_clusters (" + a.getClusterSpecifierCase()
          + " is not supported yet)");
    };
    Pattern regexRewrite = null;
    String substitution = null;
    if (a.hasRegexRewrite()) {
      regexRewrite = regex(a.getRegexRewrite().getPattern().getRegex(), path + ".regex_rewrite.pattern.regex", false);
      substitution = re2Substitution(a.getRegexRewrite().getSubstitution());
    }
    String hostRewrite = switch (a.getHostRewriteSpecifierCase()) {
      case HOST_REWRITE_LITERAL -> a.getHostRewriteLiteral();
      case HOSTREWRITESPECIFIER_NOT_SET -> null;
      default -> throw new ConfigException(path, "host rewrite " + a.getHostRewriteSpecifierCase() + " is not supported yet");
    };
    var timeout = a.hasTimeout() ? Protos.duration(a.getTimeout()) : Duration.ofSeconds(15);
    var retry = a.hasRetryPolicy() ? retry(a.getRetryPolicy(), path + ".retry_policy") : vhostRetry;
    var mirrors = new ArrayList<RouteAction.Mirror>();
    for (int i = 0; i < a.getRequestMirrorPoliciesCount(); i++) {
      var m = a.getRequestMirrorPolicies(i);
      var mPath = path + ".request_mirror_policies[" + i + "]";
      if (m.getCluster().isEmpty()) {
        throw new ConfigException(mPath + ".cluster", "a mirror needs a cluster (cluster_header is not supported yet)");
      }
      checkCluster(m.getCluster(), mPath + ".cluster", clusters);
      int num = 100;
      int den = 100;
      if (m.hasRuntimeFraction()) {
        var f = m.getRuntimeFraction().getDefaultValue();
        num = f.getNumerator();
        den = switch (f.getDenominator()) {
          case TEN_THOUSAND -> 10_000;
          case MILLION -> 1_000_000;
          default -> 100;
        };
      }
      mirrors.add(new RouteAction.Mirror(m.getCluster(), num, den));
    }
    var hashPolicies = new ArrayList<HashPolicy>();
    for (int i = 0; i < a.getHashPolicyCount(); i++) {
      var hp = a.getHashPolicy(i);
      var hPath = path + ".hash_policy[" + i + "]";
      hashPolicies.add(switch (hp.getPolicySpecifierCase()) {
        case HEADER -> {
          if (hp.getHeader().hasRegexRewrite()) {
            throw new ConfigException(hPath + ".header.regex_rewrite", "not supported yet");
          }
          yield new HashPolicy.Header(hp.getHeader().getHeaderName(), hp.getTerminal());
        }
        case COOKIE -> {
          if (hp.getCookie().hasTtl()) {
            throw new ConfigException(hPath + ".cookie.ttl", "generating cookies is not supported yet");
          }
          yield new HashPolicy.Cookie(hp.getCookie().getName(), hp.getTerminal());
        }
        case CONNECTION_PROPERTIES -> {
          if (!hp.getConnectionProperties().getSourceIp()) {
            throw new ConfigException(hPath + ".connection_properties.source_ip", "must be true");
          }
          yield new HashPolicy.SourceIp(hp.getTerminal());
        }
        case QUERY_PARAMETER -> new HashPolicy.QueryParameter(hp.getQueryParameter().getName(), hp.getTerminal());
        default -> throw new ConfigException(hPath, "hash policy " + hp.getPolicySpecifierCase() + " is not supported yet");
      });
    }
    return new RouteAction.Forward(choice, a.getPrefixRewrite().isEmpty() ? null : a.getPrefixRewrite(), regexRewrite,
        substitution, hostRewrite, timeout, retry, List.copyOf(hashPolicies), List.copyOf(mirrors), upgradeOverrides(a, path));
  }

  private static java.util.Map<String, Boolean> upgradeOverrides(io.envoyproxy.envoy.config.route.v3.RouteAction a,
      String path) throws ConfigException {
    var out = new java.util.HashMap<String, Boolean>();
    for (int i = 0; i < a.getUpgradeConfigsCount(); i++) {
      var u = a.getUpgradeConfigs(i);
      if (u.hasConnectConfig()) {
        throw new ConfigException(path + ".upgrade_configs[" + i + "].connect_config", "CONNECT is not supported yet");
      }
      out.put(u.getUpgradeType().toLowerCase(java.util.Locale.ROOT), !u.hasEnabled() || u.getEnabled().getValue());
    }
    return java.util.Map.copyOf(out);
  }

  /** Envoy writes capture groups as \1; RE2/J's replaceAll expects $1. */
  private static String re2Substitution(String s) {
    var sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
        sb.append('$').append(s.charAt(++i));
      } else if (c == '$') {
        sb.append("\\$");
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** {@code clusters} null: not validated (RDS), a missing cluster answers 503 NC at request time. */
  private static void checkCluster(String name, String path, Set<String> clusters) throws ConfigException {
    if (clusters != null && !clusters.contains(name)) {
      throw new ConfigException(path, "unknown cluster \"" + name + "\"; define it under static_resources.clusters");
    }
  }

  static RetryPolicy retry(io.envoyproxy.envoy.config.route.v3.RetryPolicy r, String path) throws ConfigException {
    var on = new HashSet<String>();
    for (var s : r.getRetryOn().split(",")) {
      var t = s.strip();
      if (t.isEmpty()) {
        continue;
      }
      if (!RETRY_ON.contains(t)) {
        throw new ConfigException(path + ".retry_on", "unsupported retry condition \"" + t + "\"; supported: " + RETRY_ON);
      }
      on.add(t);
    }
    int num = r.hasNumRetries() ? r.getNumRetries().getValue() : 1;
    var perTry = r.hasPerTryTimeout() ? Protos.duration(r.getPerTryTimeout()) : Duration.ZERO;
    var base = r.hasRetryBackOff() ? Protos.duration(r.getRetryBackOff().getBaseInterval()) : Duration.ofMillis(25);
    if (base.isZero() || base.isNegative()) {
      throw new ConfigException(path + ".retry_back_off.base_interval", "must be positive");
    }
    var max = r.hasRetryBackOff() && r.getRetryBackOff().hasMaxInterval()
        ? Protos.duration(r.getRetryBackOff().getMaxInterval()) : base.multipliedBy(10);
    if (max.compareTo(base) < 0) {
      throw new ConfigException(path + ".retry_back_off.max_interval", "must not be less than base_interval");
    }
    return new RetryPolicy(Set.copyOf(on), num, perTry, base, max, Set.copyOf(r.getRetriableStatusCodesList()));
  }

  static RouteAction.Redirect redirect(RedirectAction r, String path) throws ConfigException {
    String scheme = switch (r.getSchemeRewriteSpecifierCase()) {
      case HTTPS_REDIRECT -> r.getHttpsRedirect() ? "https" : null;
      case SCHEME_REDIRECT -> r.getSchemeRedirect();
      default -> null;
    };
    String pathRedirect = null;
    String prefixRewrite = null;
    switch (r.getPathRewriteSpecifierCase()) {
      case PATH_REDIRECT -> pathRedirect = r.getPathRedirect();
      case PREFIX_REWRITE -> prefixRewrite = r.getPrefixRewrite();
      case PATHREWRITESPECIFIER_NOT_SET -> { }
      default -> throw new ConfigException(path + ".regex_rewrite", "regex redirects are not supported yet");
    }
    int status = switch (r.getResponseCode()) {
      case MOVED_PERMANENTLY -> 301;
      case FOUND -> 302;
      case SEE_OTHER -> 303;
      case TEMPORARY_REDIRECT -> 307;
      case PERMANENT_REDIRECT -> 308;
      default -> throw new ConfigException(path + ".response_code", "unknown redirect code");
    };
    return new RouteAction.Redirect(scheme, r.getHostRedirect().isEmpty() ? null : r.getHostRedirect(),
        r.getPortRedirect(), pathRedirect, prefixRewrite, status, r.getStripQuery());
  }

  @SuppressWarnings("deprecation")
  static HeaderMutations mutations(List<HeaderValueOption> add, List<String> remove) {
    if (add.isEmpty() && remove.isEmpty()) {
      return HeaderMutations.NONE;
    }
    var adds = new ArrayList<HeaderMutations.Add>();
    for (var o : add) {
      HeaderMutations.Action action;
      if (o.hasAppend()) {
        action = o.getAppend().getValue() ? HeaderMutations.Action.APPEND_IF_EXISTS_OR_ADD
            : HeaderMutations.Action.OVERWRITE_IF_EXISTS_OR_ADD;
      } else {
        action = HeaderMutations.Action.valueOf(o.getAppendAction().name());
      }
      adds.add(new HeaderMutations.Add(o.getHeader().getKey(), o.getHeader().getValue(), action, o.getKeepEmptyValue()));
    }
    return new HeaderMutations(List.copyOf(adds), List.copyOf(remove));
  }
}
