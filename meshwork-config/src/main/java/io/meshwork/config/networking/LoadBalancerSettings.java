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

    /** Maglev hashing; the table size must be prime. */
    public record MagLev(Long tableSize) implements Validatable {
      @Override
      public void validate(Validation v) {
        if (tableSize != null && tableSize != 0 && !java.math.BigInteger.valueOf(tableSize).isProbablePrime(30)) {
          v.invalid("tableSize", tableSize, "maglev table size must be a prime number");
        }
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
      if (minimumRingSize != null && (ringHash != null || maglev != null)) {
        v.invalidObject("minimumRingSize is the deprecated form of ringHash.minimumRingSize; set only one of them and no maglev");
      }
      if (httpHeaderName != null && !NetRules.isHeaderName(httpHeaderName)) {
        v.invalid("httpHeaderName", httpHeaderName, "header name must be an HTTP token");
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
  }
}
