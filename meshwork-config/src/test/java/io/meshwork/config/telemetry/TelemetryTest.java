package io.meshwork.config.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.LoadedDocument;
import io.meshwork.config.security.Docs;
import org.junit.jupiter.api.Test;

class TelemetryTest {
  private static LoadedDocument tel(String spec) {
    return Docs.spec("telemetry.istio.io/v1", "Telemetry", spec);
  }

  @Test
  void fullTelemetryBinds() {
    var d = tel("""
        selector: {matchLabels: {app: reviews}}
        tracing:
        - providers: [{name: otel}]
          randomSamplingPercentage: 10
          customTags:
            cluster: {environment: {name: CLUSTER, defaultValue: unknown}}
        metrics:
        - providers: [{name: prometheus}]
          reportingInterval: 10s
          overrides:
          - match: {metric: REQUEST_COUNT, mode: CLIENT}
            tagOverrides:
              request_host: {value: request.host}
              response_flags: {operation: REMOVE}
        accessLogging:
        - providers: [{name: envoy}]
          filter: {expression: "response.code >= 400"}
        """);
    assertThat(d.errors()).isEmpty();
    var t = d.resource().spec(Telemetry.class);
    assertThat(t.tracing().getFirst().randomSamplingPercentage()).isEqualTo(10.0);
    assertThat(t.metrics().getFirst().overrides().getFirst().match().metric()).isEqualTo(MetricsOverrides.IstioMetric.REQUEST_COUNT);
    assertThat(t.metrics().getFirst().reportingInterval().toMillis()).isEqualTo(10_000);
    assertThat(Docs.spec("telemetry.istio.io/v1alpha1", "Telemetry", "metrics: [{providers: [{name: prometheus}]}]\n").errors()).isEmpty();
  }

  @Test
  void tagOverrideValueRules() {
    assertThat(tel("metrics: [{overrides: [{tagOverrides: {foo: {operation: UPSERT}}}]}]\n").errors())
        .containsExactly("spec.metrics[0].overrides[0].tagOverrides[foo]: Invalid value: \"object\": value must be set when operation is UPSERT");
    assertThat(tel("metrics: [{overrides: [{tagOverrides: {foo: {operation: REMOVE, value: x}}}]}]\n").errors())
        .containsExactly("spec.metrics[0].overrides[0].tagOverrides[foo]: Invalid value: \"object\": value must not be set when operation is REMOVE");
    // the operation defaults to UPSERT, which istiod's webhook requires a value for
    assertThat(tel("metrics: [{overrides: [{tagOverrides: {foo: {}}}]}]\n").errors())
        .containsExactly("spec.metrics[0].overrides[0].tagOverrides[foo].value: Required value: a tag override needs a value expression such as request.host");
  }

  @Test
  void metricSelectorIsOneOf() {
    assertThat(tel("metrics: [{overrides: [{match: {metric: REQUEST_COUNT, customMetric: foo}}]}]\n").errors())
        .containsExactly("spec.metrics[0].overrides[0].match: Invalid value: \"object\": only one of metric or customMetric can be set");
    assertThat(tel("metrics: [{overrides: [{match: {metric: REQUESTS}}]}]\n").errors()).singleElement().asString()
        .startsWith("spec.metrics[0].overrides[0].match.metric: Unsupported value: \"REQUESTS\": supported values: \"ALL_METRICS\"");
  }

  @Test
  void tracingRules() {
    assertThat(tel("tracing: [{randomSamplingPercentage: 150}]\n").errors())
        .containsExactly("spec.tracing[0].randomSamplingPercentage: Invalid value: 150: spec.tracing[0].randomSamplingPercentage in body should be less than or equal to 100");
    assertThat(tel("tracing: [{customTags: {a: {literal: {value: x}, header: {name: h}}}}]\n").errors())
        .containsExactly("spec.tracing[0].customTags[a]: Invalid value: \"object\": exactly one of literal, environment, header or formatter must be set");
    assertThat(tel("tracing: [{providers: [{name: a}, {name: b}]}]\n").errors()).singleElement().asString()
        .startsWith("spec.tracing[0].providers: Too many: 2: must have at most 1 items");
  }

  @Test
  void accessLogFilterNeedsAnExpression() {
    assertThat(tel("accessLogging: [{filter: {expression: \"  \"}}]\n").errors()).singleElement().asString()
        .startsWith("spec.accessLogging[0].filter.expression: Required value");
    assertThat(tel("accessLogging: [{filter: {expression: \"size(request.headers) > (2\"}}]\n").errors()).singleElement().asString()
        .contains("unbalanced parentheses");
  }

  @Test
  void selectionRulesAreShared() {
    assertThat(tel("selector: {matchLabels: {a: b}}\ntargetRef: {kind: Service, name: s}\n").errors())
        .containsExactly("spec: Invalid value: \"object\": only one of targetRefs or selector can be set");
  }
}
