package io.meshwork.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromTextTest {
  record Parsed(String name, Map<String, String> labels, double value) {}

  static List<Parsed> parse(String text) {
    var out = new ArrayList<Parsed>();
    PromText.parse(text, (n, l, v) -> out.add(new Parsed(n, l, v)));
    return out;
  }

  @Test
  void parsesLabelsEscapesSpecialValuesAndSkipsComments() {
    var p = parse("""
        # HELP istio_requests_total Total.
        # TYPE istio_requests_total counter
        istio_requests_total{reporter="destination",response_code="200",path="a\\"b\\\\c\\nd"} 42 1700000000000

        istio_request_duration_milliseconds_bucket{le="+Inf"} +Inf
        up NaN
        envoy_server_live 1
        """);
    assertThat(p).hasSize(4);
    assertThat(p.get(0).labels()).containsEntry("reporter", "destination").containsEntry("path", "a\"b\\c\nd");
    assertThat(p.get(0).value()).isEqualTo(42);
    assertThat(p.get(1).value()).isInfinite();
    assertThat(p.get(2).value()).isNaN();
    assertThat(p.get(3).labels()).isEmpty();
  }

  @Test
  void aMalformedLineNamesItsNumber() {
    assertThatThrownBy(() -> parse("ok 1\nbad{x=1} 2\n")).hasMessageContaining("line 2");
  }
}
