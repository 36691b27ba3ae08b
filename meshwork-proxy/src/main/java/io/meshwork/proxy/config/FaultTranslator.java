package io.meshwork.proxy.config;

import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.ArrayList;
import java.util.List;

/** Translates {@code envoy.extensions.filters.http.fault.v3.HTTPFault} into a {@link FaultConfig}. */
final class FaultTranslator {
  private FaultTranslator() {}

  static FaultConfig fault(HTTPFault f, String path) throws ConfigException {
    if (!f.getUpstreamCluster().isEmpty()) {
      throw new ConfigException(path + ".upstream_cluster", "not supported yet");
    }
    if (f.getDownstreamNodesCount() > 0) {
      throw new ConfigException(path + ".downstream_nodes", "not supported yet");
    }
    if (f.hasMaxActiveFaults()) {
      throw new ConfigException(path + ".max_active_faults", "not supported yet");
    }
    if (f.hasResponseRateLimit()) {
      throw new ConfigException(path + ".response_rate_limit", "not supported yet");
    }
    var headers = new ArrayList<HeaderMatcher>();
    for (int i = 0; i < f.getHeadersCount(); i++) {
      headers.add(RouteTranslator.header(f.getHeaders(i), path + ".headers[" + i + "]"));
    }
    long delay = -1;
    int delayNum = 0;
    int delayDen = 100;
    if (f.hasDelay()) {
      var d = f.getDelay();
      delay = switch (d.getFaultDelaySecifierCase()) {
        case FIXED_DELAY -> Protos.duration(d.getFixedDelay()).toMillis();
        case HEADER_DELAY -> 0;
        default -> throw new ConfigException(path + ".delay", "set fixed_delay or header_delay");
      };
      delayNum = d.getPercentage().getNumerator();
      delayDen = denominator(d.getPercentage());
    }
    int abort = -1;
    int abortNum = 0;
    int abortDen = 100;
    if (f.hasAbort()) {
      var a = f.getAbort();
      abort = switch (a.getErrorTypeCase()) {
        case HTTP_STATUS -> {
          if (a.getHttpStatus() < 200 || a.getHttpStatus() >= 600) {
            throw new ConfigException(path + ".abort.http_status", "must be in [200, 600)");
          }
          yield a.getHttpStatus();
        }
        case HEADER_ABORT -> 0;
        default -> throw new ConfigException(path + ".abort", "set http_status or header_abort (gRPC aborts are not supported yet)");
      };
      abortNum = a.getPercentage().getNumerator();
      abortDen = denominator(a.getPercentage());
    }
    return new FaultConfig(List.copyOf(headers), delay, delayNum, delayDen, abort, abortNum, abortDen);
  }

  private static int denominator(FractionalPercent p) {
    return switch (p.getDenominator()) {
      case TEN_THOUSAND -> 10_000;
      case MILLION -> 1_000_000;
      default -> 100;
    };
  }
}
