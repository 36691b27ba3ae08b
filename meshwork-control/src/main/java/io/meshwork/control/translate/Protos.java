package io.meshwork.control.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshwork.config.types.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small builders for the protobuf shapes translation repeats. */
final class Protos {
  private Protos() {}

  static Address address(String ip, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return duration(d.nanos());
  }

  static com.google.protobuf.Duration duration(long nanos) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(nanos / 1_000_000_000L).setNanos((int) (nanos % 1_000_000_000L)).build();
  }

  static com.google.protobuf.Duration millis(long ms) {
    return duration(ms * 1_000_000L);
  }

  /** {@code ads: {}} with the v3 resource API, the config source every dynamic reference uses. */
  static ConfigSource ads() {
    return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).setResourceApiVersion(ApiVersion.V3).build();
  }

  static Any any(Message m) {
    return Any.pack(m);
  }

  /** A percentage (0-100, fractional) as Envoy's per-million fraction, as Istio writes it. */
  static FractionalPercent percent(double value) {
    return FractionalPercent.newBuilder().setNumerator((int) Math.round(value * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION).build();
  }

  static List<HeaderValueOption> headerOptions(Map<String, String> set, Map<String, String> add) {
    var out = new ArrayList<HeaderValueOption>();
    set.forEach((k, v) -> out.add(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD).build()));
    add.forEach((k, v) -> out.add(HeaderValueOption.newBuilder().setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD).build()));
    return out;
  }
}
