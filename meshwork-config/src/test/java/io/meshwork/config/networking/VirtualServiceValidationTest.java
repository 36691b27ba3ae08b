package io.meshwork.config.networking;

import static io.meshwork.config.networking.Docs.assertRejected;
import static io.meshwork.config.networking.Docs.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class VirtualServiceValidationTest {
  private static final String VS = "VirtualService";

  /** A VirtualService for host {@code r} with one HTTP rule made of {@code rule} (YAML for the list item's fields). */
  static String http(String rule) {
    return "hosts: [r]\nhttp:\n- " + rule.stripIndent().strip().replace("\n", "\n  ") + "\n";
  }

  @Nested
  class Hosts {
    @Test
    void shortNamesFqdnsWildcardsAndIpsAreHosts() {
      assertValid(VS, "hosts: [r, r.ns.svc.cluster.local, '*.example.com', 10.0.0.1]\nhttp:\n- route:\n  - destination: {host: r}\n");
    }

    @Test
    void aBadHostIsRejected() {
      assertRejected(VS, "hosts: ['a..b']\nhttp:\n- route:\n  - destination: {host: r}\n", "spec.hosts[0]: Invalid value: \"a..b\"");
      assertRejected(VS, "hosts: ['foo.*.com']\nhttp:\n- route:\n  - destination: {host: r}\n", "spec.hosts[0]");
    }

    @Test
    void theBareWildcardIsOnlyForGateways() {
      assertRejected(VS, "hosts: ['*']\nhttp:\n- route:\n  - destination: {host: r}\n",
          "wildcard host * is not allowed for virtual services bound to the mesh gateway");
      assertValid(VS, "hosts: ['*']\ngateways: [ns/gw]\nhttp:\n- route:\n  - destination: {host: r}\n");
    }

    @Test
    void someRouteIsRequired() {
      assertRejected(VS, "hosts: [r]\n", "spec.http: Required value: http, tcp or tls must be provided in virtual service");
    }
  }

  @Nested
  class Gateways {
    @Test
    void meshNamespaceSlashNameAndBareNamesAreAccepted() {
      assertValid(VS, "hosts: [r]\ngateways: [mesh, istio-system/ingress, my-gateway]\nhttp:\n- route:\n  - destination: {host: r}\n");
    }

    @Test
    void malformedReferencesAreRejected() {
      assertRejected(VS, "hosts: [r]\ngateways: [/gw]\nhttp:\n- route:\n  - destination: {host: r}\n",
          "spec.gateways[0]: Invalid value: \"/gw\": config namespace and gateway name cannot be empty");
      assertRejected(VS, "hosts: [r]\ngateways: [Bad_NS/gw]\nhttp:\n- route:\n  - destination: {host: r}\n",
          "invalid value for namespace: \"Bad_NS\"");
      assertRejected(VS, "hosts: [r]\ngateways: [ns/gw/extra]\nhttp:\n- route:\n  - destination: {host: r}\n",
          "invalid value for gateway name");
    }

    @Test
    void matchGatewaysAreCheckedToo() {
      assertRejected(VS, http("match:\n- gateways: ['ns/']\nroute:\n- destination: {host: r}"),
          "spec.http[0].match[0].gateways[0]");
    }

    @Test
    void legacyFqdnGatewayNamesWarn() {
      var doc = Docs.load(Docs.doc(VS, "hosts: [r]\ngateways: [gw.istio-system.svc.cluster.local]\nhttp:\n- route:\n  - destination: {host: r}\n"));
      assertThat(doc.errors()).isEmpty();
      assertThat(doc.warnings()).anyMatch(w -> w.contains("legacy gatewayName format"));
    }
  }

  @Nested
  class Weights {
    @Test
    void relativeWeightsAreAccepted() {
      assertValid(VS, http("route:\n- destination: {host: r, subset: v1}\n  weight: 80\n- destination: {host: r, subset: v2}\n  weight: 20"));
      assertValid(VS, http("route:\n- destination: {host: r, subset: v1}\n  weight: 1\n- destination: {host: r, subset: v2}\n  weight: 3"));
    }

    @Test
    void negativeWeightsAreRejected() {
      assertRejected(VS, http("route:\n- destination: {host: r}\n  weight: -1"),
          "spec.http[0].route[0].weight: Invalid value: -1: weight -1 < 0");
    }

    @Test
    void severalDestinationsNeedSomeWeight() {
      assertRejected(VS, http("route:\n- destination: {host: r, subset: v1}\n  weight: 0\n- destination: {host: r, subset: v2}\n  weight: 0"),
          "total destination weight = 0");
      assertRejected(VS, "hosts: [r]\ntcp:\n- route:\n  - destination: {host: r, subset: a}\n  - destination: {host: r, subset: b}\n",
          "spec.tcp[0].route: Invalid value");
    }
  }

  @Nested
  class Actions {
    @Test
    void routeAndRedirectConflict() {
      assertRejected(VS, http("route:\n- destination: {host: r}\nredirect: {uri: /x}"),
          "spec.http[0]: Invalid value: \"object\": HTTP route cannot contain both route and redirect");
    }

    @Test
    void routeAndDirectResponseConflict() {
      assertRejected(VS, http("route:\n- destination: {host: r}\ndirectResponse: {status: 200}"),
          "HTTP route cannot contain both route and direct_response");
    }

    @Test
    void redirectAndDirectResponseConflict() {
      assertRejected(VS, http("redirect: {uri: /x}\ndirectResponse: {status: 200}"),
          "HTTP route cannot contain both redirect and direct_response");
    }

    @Test
    void delegateExcludesTheOtherActions() {
      assertRejected(VS, http("route:\n- destination: {host: r}\ndelegate: {name: d}"),
          "spec.http[0]: Invalid value: \"object\": root HTTP route must not specify route");
      assertRejected(VS, http("name: r1\nredirect: {uri: /x}\ndelegate: {name: d}"), "root HTTP route r1 must not specify redirect");
    }

    @Test
    void anActionIsRequired() {
      assertRejected(VS, http("name: nothing"), "HTTP route, redirect or direct_response is required");
    }

    @Test
    void faultAndRewriteDoNotGoWithRedirect() {
      assertRejected(VS, http("redirect: {uri: /x}\nrewrite: {uri: /y}"), "HTTP route rule cannot contain both rewrite and redirect");
      assertRejected(VS, http("redirect: {uri: /x}\nfault: {abort: {httpStatus: 500}}"), "HTTP route cannot contain both fault and redirect");
    }

    @Test
    void redirectNeedsSomethingToChangeAndA3xxCode() {
      assertRejected(VS, http("redirect: {redirectCode: 301}"), "redirect must specify URI, authority, scheme, or port");
      assertRejected(VS, http("redirect: {uri: /x, redirectCode: 200}"), "200 is not a valid redirect code, must be 3xx");
      assertRejected(VS, http("redirect: {port: 8080, derivePort: FROM_REQUEST_PORT}"), "only one of port or derivePort can be set");
      assertValid(VS, http("redirect: {derivePort: FROM_PROTOCOL_DEFAULT, scheme: https, redirectCode: 308}"));
    }

    @Test
    void directResponseStatusIsAnHttpStatus() {
      assertRejected(VS, http("directResponse: {status: 99}"), "spec.http[0].directResponse.status: Invalid value: 99: HTTP status 99 is not in range 200-599");
      assertRejected(VS, http("directResponse: {body: {string: hi}}"), "spec.http[0].directResponse.status: Required value");
      assertValid(VS, http("directResponse: {status: 503, body: {string: unavailable}}"));
      assertRejected(VS, http("directResponse: {status: 200, body: {string: a, bytes: YQ==}}"), "only one of string or bytes can be set");
    }

    @Test
    void rewriteNeedsUriAuthorityOrRegexButNotBothUriForms() {
      assertRejected(VS, http("route:\n- destination: {host: r}\nrewrite: {}"), "rewrite must specify at least one of URI, UriRegexRewrite, or authority");
      assertRejected(VS, http("route:\n- destination: {host: r}\nrewrite: {uri: /a, uriRegexRewrite: {match: ^/b, rewrite: /c}}"),
          "rewrite may only contain one of URI or UriRegexRewrite");
      assertRejected(VS, http("route:\n- destination: {host: r}\nrewrite: {uriRegexRewrite: {match: '(', rewrite: /c}}"),
          "spec.http[0].rewrite.uriRegexRewrite.match: Invalid value: \"(\"");
    }
  }

  @Nested
  class Delegates {
    @Test
    void aRootRouteMayDelegate() {
      assertValid(VS, http("match:\n- uri: {prefix: /reviews}\ndelegate: {name: reviews, namespace: nsa}"));
    }

    @Test
    void aDelegateMustBeNamed() {
      assertRejected(VS, http("delegate: {namespace: nsa}"), "spec.http[0].delegate.name: Required value: delegate name is required");
    }

    @Test
    void aDelegateVirtualServiceHasNoGatewaysTcpTlsOrDelegates() {
      assertValid(VS, "http:\n- route:\n  - destination: {host: r}\n");
      assertRejected(VS, "gateways: [ns/gw]\nhttp:\n- route:\n  - destination: {host: r}\n",
          "spec.gateways: Forbidden: delegate virtual service must have no gateways specified");
      assertRejected(VS, "http:\n- delegate: {name: d}\n", "spec.http[0].delegate: Forbidden: delegate HTTP route cannot contain delegate");
      assertRejected(VS, "tcp:\n- route:\n  - destination: {host: r}\n", "must have no tcp route specified");
    }
  }

  @Nested
  class Matches {
    @Test
    void regexesMustBeRe2() {
      assertRejected(VS, http("match:\n- uri: {regex: '/a(?=b)'}\nroute:\n- destination: {host: r}"),
          "spec.http[0].match[0].uri.regex: Invalid value: \"/a(?=b)\": is not a valid RE2 regular expression");
      assertRejected(VS, http("match:\n- headers:\n    cookie: {regex: '(['}\nroute:\n- destination: {host: r}"),
          "spec.http[0].match[0].headers[cookie].regex");
      assertValid(VS, http("match:\n- headers:\n    cookie: {regex: '^(.*?;)?(user=dev-123)(;.*)?'}\nroute:\n- destination: {host: r}"));
    }

    @Test
    void aStringMatchIsOneOf() {
      assertRejected(VS, http("match:\n- uri: {exact: /a, prefix: /b}\nroute:\n- destination: {host: r}"),
          "spec.http[0].match[0].uri: Invalid value: \"object\": only one of exact, prefix or regex can be set");
    }

    @Test
    void headerNamesMustBeTokens() {
      assertRejected(VS, http("match:\n- headers:\n    'bad header': {exact: x}\nroute:\n- destination: {host: r}"),
          "spec.http[0].match[0].headers[bad header]: Invalid value: \"bad header\"");
      assertValid(VS, "hosts: [r]\ngateways: [ns/gw]\n" + http("match:\n- headers:\n    '@request.auth.claims.group': {exact: admin}\n    x-user: {}\nroute:\n- destination: {host: r}").substring("hosts: [r]\n".length()));
      assertRejected(VS, http("match:\n- headers:\n    '@request.auth.claims.group': {exact: admin}\nroute:\n- destination: {host: r}"),
          "JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway");
    }

    @Test
    void matchPortsArePorts() {
      assertRejected(VS, http("match:\n- port: 70000\nroute:\n- destination: {host: r}"), "port must be between 1-65535");
    }
  }

  @Nested
  class Policies {
    @Test
    void timeoutsAreAtLeastOneMillisecond() {
      assertRejected(VS, http("route:\n- destination: {host: r}\ntimeout: 100us"),
          "spec.http[0].timeout: Invalid value: \"100us\": must be a valid duration greater than 1ms");
      assertRejected(VS, http("route:\n- destination: {host: r}\ntimeout: soon"), "spec.http[0].timeout");
      assertValid(VS, http("route:\n- destination: {host: r}\ntimeout: 1.5s"));
    }

    @Test
    void retries() {
      assertValid(VS, http("route:\n- destination: {host: r}\nretries: {attempts: 3, perTryTimeout: 2s, retryOn: 'gateway-error,connect-failure,503'}"));
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {attempts: -1}"),
          "spec.http[0].retries.attempts: Invalid value: -1: attempts cannot be negative");
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {attempts: 2, retryOn: '5xx,sometimes'}"),
          "\"sometimes\" is not a valid retryOn policy");
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {attempts: 2, perTryTimeout: 0s}"),
          "spec.http[0].retries.perTryTimeout");
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {retryOn: 5xx}"),
          "spec.http[0].retries: Invalid value: \"object\": http retry policy configured when attempts are set to 0 (disabled)");
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {attempts: 2, retryOn: '5xx, reset'}"), "\" reset\" is not a valid retryOn policy");
      assertRejected(VS, http("route:\n- destination: {host: r}\nretries: {attempts: 2, retryOn: '599'}"), "\"599\" is not a valid retryOn policy");
      assertRejected(VS, http("route:\n- destination: {host: r}\ntimeout: 1500us"),
          "spec.http[0].timeout: Invalid value: \"1500us\": only durations to ms precision are supported");
    }

    @Test
    void faults() {
      assertValid(VS, http("route:\n- destination: {host: r}\nfault:\n  delay: {fixedDelay: 7s, percentage: {value: 0.1}}\n  abort: {httpStatus: 500, percentage: {value: 100}}"));
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault: {}"), "HTTP fault injection must have an abort and/or a delay");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  abort: {httpStatus: 500, percentage: {value: 101}}"),
          "spec.http[0].fault.abort.percentage.value: Invalid value: 101: percentage 101 is neither 0.0, nor in range [0.0001, 100.0]");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  abort: {httpStatus: 700}"), "HTTP status 700 is not in range 200-599");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  delay: {percent: 150, fixedDelay: 1s}"),
          "spec.http[0].fault.delay.percent: Invalid value: 150: percentage 150 is not in range 0..100");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  abort: {grpcStatus: NOPE}"), "gRPC status \"NOPE\" is not supported");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  abort: {http2Error: REFUSED_STREAM}"), "HTTP/2 abort fault injection not supported yet");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  delay: {exponentialDelay: 1s}"), "exponentialDelay not supported yet");
      assertRejected(VS, http("route:\n- destination: {host: r}\nfault:\n  delay: {fixedDelay: 1s, percentage: {value: 0.00001}}"),
          "is neither 0.0, nor in range [0.0001, 100.0]");
    }

    @Test
    void mirrorPercentages() {
      assertValid(VS, http("route:\n- destination: {host: r}\nmirror: {host: m}\nmirrorPercentage: {value: 12.5}"));
      assertRejected(VS, http("route:\n- destination: {host: r}\nmirror: {host: m}\nmirrorPercentage: {value: 100.5}"),
          "spec.http[0].mirrorPercentage.value: Invalid value: 100.5: mirror_percentage must have a max value of 100 (it has 100.500000)");
      assertRejected(VS, http("route:\n- destination: {host: r}\nmirror: {host: m}\nmirrorPercent: 101"),
          "mirror_percent must have a max value of 100 (it has 101)");
      assertRejected(VS, http("route:\n- destination: {host: r}\nmirrors:\n- destination: {host: m}\n  percentage: {value: -1}"),
          "spec.http[0].mirrors[0].percentage.value: Invalid value: -1: mirror percentage must have a min value of 0 (it has -1.000000)");
      assertValid(VS, http("route:\n- destination: {host: r}\nmirror: {host: m}\nmirrors:\n- destination: {host: m2}\n  percentage: {value: 50}"));
    }

    @Test
    void headerOperations() {
      assertValid(VS, http("route:\n- destination: {host: r}\n  headers:\n    request: {set: {x-a: b}, remove: [x-b]}\nheaders:\n  response: {add: {x-c: d}}"));
      assertValid(VS, http("route:\n- destination: {host: r}\nheaders:\n  request: {set: {':authority': x.example.com, x-id: '%REQ(x-request-id)%', x-pct: '100%%'}}"));
      assertRejected(VS, http("route:\n- destination: {host: r}\nheaders:\n  request: {set: {':path': /x}}"),
          "spec.http[0].headers.request.set[:path]: Invalid value: \":path\": invalid header \":path\": header cannot have \":\" prefix");
      assertRejected(VS, http("route:\n- destination: {host: r}\nheaders:\n  response: {set: {':authority': x}}"), "header cannot have \":\" prefix");
      assertRejected(VS, http("route:\n- destination: {host: r}\nheaders:\n  request: {remove: [Host]}"), "invalid header \"Host\": cannot set Host header");
      assertRejected(VS, http("route:\n- destination: {host: r}\n  headers:\n    response: {add: {x-a: 'abc%123'}}"),
          "spec.http[0].route[0].headers.response.add[x-a]: Invalid value: \"abc%123\": header value configuration");
      assertRejected(VS, http("route:\n- destination: {host: r}\nrewrite: {authority: a.com}\nheaders:\n  request: {set: {host: b.com}}"),
          "authority header cannot be set multiple times: have \"a.com\", attempting to set \"b.com\"");
    }

    @Test
    void cors() {
      assertValid(VS, http("route:\n- destination: {host: r}\ncorsPolicy:\n  allowOrigins: [{exact: 'https://example.com'}, {regex: 'https://.*\\.example\\.com'}]\n  allowMethods: [GET, POST]\n  allowHeaders: [x-custom, '*']\n  maxAge: 24h\n  allowCredentials: true\n  unmatchedPreflights: IGNORE"));
      assertRejected(VS, http("route:\n- destination: {host: r}\ncorsPolicy: {allowMethods: [FETCH]}"), "\"FETCH\" is not a supported HTTP method");
      assertRejected(VS, http("route:\n- destination: {host: r}\ncorsPolicy: {allowOrigins: [{exact: ''}]}"), "'' is not a valid match type for CORS allow origins");
      assertRejected(VS, http("route:\n- destination: {host: r}\ncorsPolicy: {maxAge: 1500ms}"), "max_age duration is accurate only to seconds precision");
      assertRejected(VS, http("route:\n- destination: {host: r}\ncorsPolicy: {exposeHeaders: ['a b']}"), "spec.http[0].corsPolicy.exposeHeaders[0]: Invalid value: \"a b\": header name a b is not a valid header name");
      assertRejected(VS, http("route:\n- destination: {host: r}\ncorsPolicy: {unmatchedPreflights: DROP}"),
          "spec.http[0].corsPolicy.unmatchedPreflights: Unsupported value: \"DROP\"");
    }

    @Test
    void destinations() {
      assertRejected(VS, http("route:\n- destination: {subset: v1}"), "spec.http[0].route[0].destination.host: Required value");
      assertRejected(VS, http("route:\n- destination: {host: '*'}"), "invalid destination host *");
      assertRejected(VS, http("route:\n- destination: {host: r, subset: V_1}"), "spec.http[0].route[0].destination.subset: Invalid value: \"V_1\": subset name is invalid: V_1");
      assertRejected(VS, http("route:\n- destination: {host: r, port: {number: 0}}"), "port must be between 1-65535");
    }
  }

  @Nested
  class TcpAndTls {
    @Test
    void tlsRoutesNeedMatchesWithSniHosts() {
      assertValid(VS, "hosts: ['*.example.com']\ngateways: [ns/gw]\ntls:\n- match:\n  - sniHosts: [a.example.com]\n    port: 443\n  route:\n  - destination: {host: a.example.com}\n");
      assertRejected(VS, "hosts: [r]\ntls:\n- route:\n  - destination: {host: r}\n", "spec.tls[0].match: Required value: TLS route must have at least one match condition");
      assertRejected(VS, "hosts: [r]\ntls:\n- match:\n  - port: 443\n  route:\n  - destination: {host: r}\n", "TLS match must have at least one SNI host");
    }

    @Test
    void subnetsAreIpsOrCidrs() {
      assertValid(VS, "hosts: [r]\ntcp:\n- match:\n  - destinationSubnets: [10.0.0.0/8, 2001:db8::/32, 1.2.3.4]\n    sourceSubnet: 192.168.0.0/16\n  route:\n  - destination: {host: r}\n");
      assertRejected(VS, "hosts: [r]\ntcp:\n- match:\n  - destinationSubnets: [10.0.0.0/33]\n  route:\n  - destination: {host: r}\n",
          "spec.tcp[0].match[0].destinationSubnets[0]: Invalid value: \"10.0.0.0/33\"");
    }

    @Test
    void tcpRoutesNeedDestinations() {
      assertRejected(VS, "hosts: [r]\ntcp:\n- match:\n  - port: 3306\n", "spec.tcp[0].route: Required value: TCP route is required");
    }
  }

  @Test
  void exportTo() {
    assertValid(VS, "hosts: [r]\nexportTo: [., other]\nhttp:\n- route:\n  - destination: {host: r}\n");
    assertRejected(VS, "hosts: [r]\nexportTo: [., .]\nhttp:\n- route:\n  - destination: {host: r}\n", "spec.exportTo[1]: Invalid value: \".\": duplicate entries in exportTo: . and current namespace ns");
    assertRejected(VS, "hosts: [r]\nexportTo: ['~', other]\nhttp:\n- route:\n  - destination: {host: r}\n", "exportTo '~' (export to no one) is only allowed for ServiceEntries");
  }

  @Test
  void duplicateHostsAreRejected() {
    assertRejected(VS, "hosts: [a.example.com, '*.example.com']\nhttp:\n- route:\n  - destination: {host: r}\n",
        "spec.hosts[1]: Invalid value: \"*.example.com\": duplicate hosts in virtual service: a.example.com & *.example.com");
    assertValid(VS, "hosts: [a.example.com, b.example.com]\nhttp:\n- route:\n  - destination: {host: r}\n");
  }

  @Test
  void delegationForbidsRegexMatches() {
    assertRejected(VS, http("match:\n- uri: {regex: '/a.*'}\ndelegate: {name: d}"),
        "spec.http[0].match[0]: Invalid value: \"uri\": uri match does not support regex match for delegating");
    assertRejected(VS, "http:\n- match:\n  - headers: {x-a: {regex: 'b.*'}}\n  route:\n  - destination: {host: r}\n",
        "headers[x-a] match does not support regex match for delegating");
  }

  @Test
  void sniHostsMustFallWithinTheHosts() {
    assertRejected(VS, "hosts: [a.example.com]\ngateways: [ns/gw]\ntls:\n- match:\n  - sniHosts: [b.example.com]\n  route:\n  - destination: {host: b}\n",
        "spec.tls[0].match[0].sniHosts[0]: Invalid value: \"b.example.com\": SNI host \"b.example.com\" is not a compatible subset of any of the virtual service hosts: [a.example.com]");
  }

  @Test
  void unreachableRulesAreWarnedAbout() {
    var doc = Docs.load(Docs.doc(VS, "hosts: [r]\nhttp:\n- route:\n  - destination: {host: r}\n- match:\n  - uri: {prefix: /a}\n  route:\n  - destination: {host: r}\n- name: again\n  match:\n  - uri: {prefix: /a}\n  route:\n  - destination: {host: r}\n- route:\n  - destination: {host: r}\n"));
    assertThat(doc.errors()).isEmpty();
    assertThat(doc.warnings()).anyMatch(w -> w.contains("virtualService rule \"again\" not used (all matches used by prior rules)"));
    assertThat(doc.warnings()).anyMatch(w -> w.contains("virtualService rule #3 not used (only the last rule can have no matches)"));
  }
}
