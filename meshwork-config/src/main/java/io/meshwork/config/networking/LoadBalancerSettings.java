package io.meshwork.config.networking;

import io.meshwork.config.schema.Constraints.Max;
import io.meshwork.config.schema.Constraints.Min;
import io.meshwork.config.schema.Constraints.MinDuration;
import io.meshwork.config.schema.Constraints.Required;
import io.meshwork.config.schema.Validatable;
import io.meshwork.config.schema.Validation;
import io.meshwork.config.types.Duration;
import java.util.List;

/**
 * How endpoints are picked: a simple algorithm or consistent hashing (a oneof), locality-aware
 * weighting and failover, and slow start ({@code warmup}; {@code warmupDurationSecs} is its
 * deprecated predecessor).
 */
public record LoadBalancerSettings(
    SimpleLB simple,
    ConsistentHashLB consistentHash,
    LocalityLoadBalancerSetting localityLbSetting,
    @MinDuration("1ms") Duration warmupDurationSecs,
    WarmupConfiguration warmup) implements Validatable {

  /** Simple load-balancing algorithms. */
  public enum SimpleLB {
    UNSPECIFIED,
    LEAST_CONN,
    RANDOM,
    PASSTHROUGH,
    ROUND_ROBIN,
    LEAST_REQUEST
  }

  /** Slow start: new endpoints get traffic ramping up over {@code duration}. */
  public record WarmupConfiguration(
      @Required @MinDuration("1ms") Duration duration,
      @Min(0) @Max(100) Double minimumPercent,
      @Min(0) Double aggression) {}

  /**
   * Session affinity by hashing a header, cookie, source IP or query parameter (one of), with the
   * ring-hash or Maglev algorithm (one of; {@code minimumRingSize} is the deprecated ring-hash form).
   */
  public record ConsistentHashLB(
      String httpHeaderName,
      HTTPCookie httpCookie,
      Boolean useSourceIp,
      String httpQueryParameterName,
      RingHash ringHash,
      MagLev maglev,
      Long minimumRingSize) implements Validatable {

    /** A cookie to hash; generated with {@code ttl} when the client has none. */
    public record HTTPCookie(@Required String name, String path, Duration ttl, List<Attribute> attributes) implements Validatable {
      /** An extra attribute of the generated cookie. */
      public record Attribute(@Required String name, String value) {}

      @Override
      public void validate(Validation v) {
        if (name.isEmpty()) {
          v.required(v.at("name"), "name required for HttpCookie");
        }
      }
    }

    /** Ketama ring hashing. */
    public record RingHash(Long minimumRingSize) {}

    /** Maglev hashing; the table size must be a prime below 5000011. */
    public record MagLev(Long tableSize) implements Validatable {
      @Override
      public void validate(Validation v) {
        long size = tableSize == null ? 0 : tableSize;
        if (size == 0) {
          v.required(v.at("tableSize"), "tableSize must be set for maglev");
        } else if (size >= 5000011) {
          v.invalid("tableSize", size, "tableSize must be less than 5000011 for maglev");
        } else if (!isPrime(size)) {
          v.invalid("tableSize", size, "tableSize must be a prime number for maglev");
        }
      }

      /** Envoy's primality test (it treats 1 as prime), so that what we accept Envoy accepts. */
      static boolean isPrime(long x) {
        if (x != 0 && x < 4) {
          return true;
        }
        if ((x & 1) == 0) {
          return false;
        }
        long limit = (long) Math.sqrt((double) x);
        for (long f = 3; f <= limit; f += 2) {
          if (x % f == 0) {
            return false;
          }
        }
        return true;
      }
    }

    @Override
    public void validate(Validation v) {
      int keys = (httpHeaderName != null ? 1 : 0) + (httpCookie != null ? 1 : 0) + (useSourceIp != null ? 1 : 0)
          + (httpQueryParameterName != null ? 1 : 0);
      if (keys > 1) {
        v.invalidObject("only one of httpHeaderName, httpCookie, useSourceIp, or httpQueryParameterName can be set");
      }
      if (ringHash != null && maglev != null) {
        v.invalidObject("only one of ringHash or maglev can be set");
      }
      if (minimumRingSize != null && minimumRingSize != 0) {
        v.warn(v.at("minimumRingSize"), "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead");
        if (ringHash != null || maglev != null) {
          v.invalidObject("only one of MinimumRingSize or Maglev/Ringhash can be specified");
        }
      }
    }
  }

  @Override
  public void validate(Validation v) {
    if (simple != null && consistentHash != null) {
      v.invalidObject("only one of simple or consistentHash can be set");
    }
    if (warmupDurationSecs != null && warmup != null) {
      v.invalidObject("only one of warmupDurationSecs or warmup can be set");
    }
    NetRules.checkDuration(v, "warmupDurationSecs", warmupDurationSecs);
  }
}
