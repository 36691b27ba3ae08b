package io.meshwork.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.TracingConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropagationTest {
  static HttpHeaders headers(String... kv) {
    var h = new DefaultHttpHeaders();
    for (int i = 0; i < kv.length; i += 2) {
      h.add(kv[i], kv[i + 1]);
    }
    return h;
  }

  @Test
  void readsW3cTraceparentAndTracestate() {
    var in = Propagation.extract(headers("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
    assertThat(in.format()).isEqualTo(Propagation.Format.W3C);
    assertThat(in.context().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(in.context().spanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(in.sampled()).isEqualTo(TraceContext.Sampled.SAMPLED);
    assertThat(in.context().traceState()).isEqualTo("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    assertThat(Propagation.extract(headers("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        .sampled()).isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
  }

  @Test
  void rejectsMalformedTraceparentAndFallsBackToB3() {
    for (var bad : List.of("00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has exactly 4 parts
        "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01")) {
      assertThat(Propagation.extract(headers("traceparent", bad)).context()).as(bad).isNull();
    }
    var in = Propagation.extract(headers("traceparent", "garbage", "x-b3-traceid", "463ac35c9f6413ad",
        "x-b3-spanid", "a2fb4a1d1a96d312", "x-b3-sampled", "1"));
    assertThat(in.format()).isEqualTo(Propagation.Format.B3_MULTI);
    assertThat(in.context().traceId()).isEqualTo("0000000000000000463ac35c9f6413ad");
    // A future version may append fields.
    assertThat(Propagation.extract(headers("traceparent", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz"))
        .context()).isNotNull();
  }

  @Test
  void readsB3MultiHeaderWithFlagsAndDecisionOnly() {
    var in = Propagation.extract(headers("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-SpanId",
        "e457b5a2e4d86bd1", "X-B3-ParentSpanId", "05e3ac9a4f6e3b90", "X-B3-Sampled", "0"));
    assertThat(in.context().traceId()).isEqualTo("80f198ee56343ba864fe8b2a57d3eff7");
    assertThat(in.context().spanId()).isEqualTo("e457b5a2e4d86bd1");
    assertThat(in.sampled()).isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    assertThat(Propagation.extract(headers("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-SpanId",
        "e457b5a2e4d86bd1", "X-B3-Flags", "1", "X-B3-Sampled", "0")).sampled()).isEqualTo(TraceContext.Sampled.DEBUG);
    var decisionOnly = Propagation.extract(headers("X-B3-Sampled", "0"));
    assertThat(decisionOnly.context()).isNull();
    assertThat(decisionOnly.sampled()).isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    assertThat(Propagation.extract(headers("X-B3-Sampled", "true")).sampled()).isEqualTo(TraceContext.Sampled.SAMPLED);
    assertThat(Propagation.extract(headers()).format()).isEqualTo(Propagation.Format.NONE);
  }

  @Test
  void readsB3SingleHeaderInAllItsForms() {
    var full = Propagation.extract(headers("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"));
    assertThat(full.format()).isEqualTo(Propagation.Format.B3_SINGLE);
    assertThat(full.context().spanId()).isEqualTo("e457b5a2e4d86bd1");
    assertThat(full.sampled()).isEqualTo(TraceContext.Sampled.SAMPLED);
    var noDecision = Propagation.extract(headers("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312"));
    assertThat(noDecision.context().traceId()).isEqualTo("0000000000000000463ac35c9f6413ad");
    assertThat(noDecision.sampled()).isEqualTo(TraceContext.Sampled.UNDECIDED);
    assertThat(Propagation.extract(headers("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312-d")).sampled())
        .isEqualTo(TraceContext.Sampled.DEBUG);
    assertThat(Propagation.extract(headers("b3", "0")).sampled()).isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    assertThat(Propagation.extract(headers("b3", "0")).context()).isNull();
    assertThat(Propagation.extract(headers("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312-x")).format())
        .isEqualTo(Propagation.Format.NONE);
  }

  @Test
  void w3cWinsOverB3WhenBothArePresent() {
    var in = Propagation.extract(headers("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "x-b3-traceid", "463ac35c9f6413ad", "x-b3-spanid", "a2fb4a1d1a96d312"));
    assertThat(in.context().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
  }

  @Test
  void injectsW3cAndB3AndConvertsBetweenThem() {
    // B3 in, W3C + B3 out (conversion), replacing what the request carried.
    var in = Propagation.extract(headers("b3", "463ac35c9f6413ad-a2fb4a1d1a96d312-1"));
    var out = headers("b3", "stale", "x-b3-flags", "1", "tracestate", "old=1");
    var mine = new TraceContext(in.context().traceId(), "1111111111111111", TraceContext.Sampled.SAMPLED, null);
    Propagation.inject(out, mine, in.context().spanId(), true);
    assertThat(out.get("traceparent")).isEqualTo("00-0000000000000000463ac35c9f6413ad-1111111111111111-01");
    assertThat(out.get("x-b3-traceid")).isEqualTo("0000000000000000463ac35c9f6413ad");
    assertThat(out.get("x-b3-spanid")).isEqualTo("1111111111111111");
    assertThat(out.get("x-b3-parentspanid")).isEqualTo("a2fb4a1d1a96d312");
    assertThat(out.get("x-b3-sampled")).isEqualTo("1");
    assertThat(out.contains("x-b3-flags")).isFalse();
    assertThat(out.contains("tracestate")).isFalse();
    assertThat(out.get("b3")).isEqualTo("0000000000000000463ac35c9f6413ad-1111111111111111-1-a2fb4a1d1a96d312");
    // Round trip: what was written reads back as the same context.
    var back = Propagation.extract(out);
    assertThat(back.context().traceId()).isEqualTo(mine.traceId());
    assertThat(back.context().spanId()).isEqualTo(mine.spanId());

    // W3C in with tracestate, not sampled: flags 00, X-B3-Sampled 0, tracestate passed on, no b3.
    var w3c = Propagation.extract(headers("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "tracestate", "congo=t61rcWkgMzE"));
    var out2 = headers("b3", "stale");
    Propagation.inject(out2, new TraceContext(w3c.context().traceId(), "2222222222222222", w3c.sampled(),
        w3c.context().traceState()), w3c.context().spanId(), false);
    assertThat(out2.get("traceparent")).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-2222222222222222-00");
    assertThat(out2.get("tracestate")).isEqualTo("congo=t61rcWkgMzE");
    assertThat(out2.get("x-b3-sampled")).isEqualTo("0");
    assertThat(out2.contains("b3")).isFalse();

    // Forced (debug): B3 flags 1, b3 "d".
    var out3 = headers();
    Propagation.inject(out3, new TraceContext(mine.traceId(), mine.spanId(), TraceContext.Sampled.DEBUG, null), null, true);
    assertThat(out3.get("x-b3-flags")).isEqualTo("1");
    assertThat(out3.contains("x-b3-sampled")).isFalse();
    assertThat(out3.contains("x-b3-parentspanid")).isFalse();
    assertThat(out3.get("b3")).endsWith("-d");
    assertThat(out3.get("traceparent")).endsWith("-01");
  }

  static TracingConfig config(double client, double random, double overall) {
    return new TracingConfig(TracingConfig.Provider.ZIPKIN, "z", "/api/v2/spans", "z", "svc", client, random, overall,
        List.of(), false, 256);
  }

  @Test
  void samplingHonoursIncomingDecisionsForcesClientTraceIdAndAppliesRates() {
    var never = config(100, 0, 100);
    var always = config(100, 100, 100);
    assertThat(Sampler.decide(never, TraceContext.Sampled.SAMPLED, false, () -> 50)).isEqualTo(TraceContext.Sampled.SAMPLED);
    assertThat(Sampler.decide(always, TraceContext.Sampled.NOT_SAMPLED, false, () -> 0))
        .isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    assertThat(Sampler.decide(never, TraceContext.Sampled.NOT_SAMPLED, true, () -> 0)).isEqualTo(TraceContext.Sampled.DEBUG);
    assertThat(Sampler.decide(config(0, 0, 100), TraceContext.Sampled.UNDECIDED, true, () -> 0))
        .isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    var onePercent = config(100, 1, 100);
    assertThat(Sampler.decide(onePercent, TraceContext.Sampled.UNDECIDED, false, () -> 0.5))
        .isEqualTo(TraceContext.Sampled.SAMPLED);
    assertThat(Sampler.decide(onePercent, TraceContext.Sampled.UNDECIDED, false, () -> 1.5))
        .isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
    // Statistically: 1% of 200,000 undecided requests, within 4 standard deviations.
    var rnd = new java.util.Random(7);
    int hits = 0;
    for (int i = 0; i < 200_000; i++) {
      if (Sampler.decide(onePercent, TraceContext.Sampled.UNDECIDED, false, () -> rnd.nextDouble() * 100).isSampled()) {
        hits++;
      }
    }
    assertThat(hits).isBetween(2000 - 180, 2000 + 180);
    // overall_sampling caps what random sampling kept.
    assertThat(Sampler.decide(config(100, 100, 10), TraceContext.Sampled.UNDECIDED, false, () -> 50))
        .isEqualTo(TraceContext.Sampled.NOT_SAMPLED);
  }
}
