package io.meshwork.control.xds;

import static io.meshwork.control.xds.XdsServerTest.PRODUCTPAGE;
import static io.meshwork.control.xds.XdsServerTest.V2;
import static io.meshwork.control.xds.XdsServerTest.await;
import static io.meshwork.control.xds.XdsServerTest.next;
import static io.meshwork.control.xds.XdsServerTest.weightOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.ControlPlane;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.XdsClient;
import io.meshwork.xds.client.XdsHandler;
import io.meshwork.xds.client.XdsSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The control plane's own metrics and its debouncer: changes that arrive inside one debounce window
 * make one push (the proxy never sees the intermediate states), and {@code pilot_xds},
 * {@code pilot_xds_pushes{type}}, {@code pilot_xds_push_time} (histogram),
 * {@code pilot_debounce_events} and {@code pilot_total_xds_rejects} move with what happened.
 */
class XdsPushMetricsTest {
  /** Long enough that five in-process applies fit in one window even on a loaded machine. */
  static final Duration DEBOUNCE = Duration.ofSeconds(2);

  static long metric(String text, String name) {
    var m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    assertThat(m.find()).as(name + " in\n" + text).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  /** Waits until no push is pending: neither pushes nor store events change for two debounce periods. */
  static void awaitQuiet(XdsMetrics m) throws InterruptedException {
    while (true) {
      long pushes = m.pushes();
      long events = m.debounceEvents();
      Thread.sleep(DEBOUNCE.toMillis() * 2);
      if (m.pushes() == pushes && m.debounceEvents() == events && pushes >= 1) {
        return;
      }
    }
  }

  @Test
  void fiveAppliesInOneDebounceWindowMakeOnePushAndTheMetricsFollow() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0);
    try (var cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), "127.0.0.1", 0, 0, Duration.ofMillis(300), DEBOUNCE, true))) {
      var m = cp.xds().metrics();
      assertThat(metric(m.prometheus(), "pilot_xds")).isZero();
      assertThat(cp.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.all())).errors()).isEmpty();
      var q = new LinkedBlockingQueue<XdsSnapshot>();
      try (var client = XdsClient.start("127.0.0.1:" + cp.xdsPort(), PRODUCTPAGE, s -> {
        q.add(s);
        return weightOf(s, V2) == 77 ? XdsHandler.Verdict.reject("77% to v2 is not allowed here") : XdsHandler.Verdict.ACCEPT;
      })) {
        next(q, x -> x.clusters().containsKey(V2) && weightOf(x, V2) == 20);
        await(() -> m.connectedProxies() == 1);
        assertThat(metric(m.prometheus(), "pilot_xds")).isEqualTo(1);
        // The apply and the proxy's auto-registered WorkloadEntry are store changes: let their push happen first.
        awaitQuiet(m);
        long pushes = m.pushes();
        long events = m.debounceEvents();
        long rds = m.responses("rds");
        long pushNanos = m.pushTimeNanos();
        var before = m.prometheus();
        q.clear();

        for (int v2 : new int[] {10, 30, 40, 60, 50}) { // each differs from the current 20 and from the one before
          assertThat(cp.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.split(100 - v2, v2))).errors()).isEmpty();
        }
        var seen = new ArrayList<Integer>();
        while (seen.isEmpty() || seen.getLast() != 50) {
          var s = q.poll(20, TimeUnit.SECONDS);
          assertThat(s).as("a snapshot with the last split arrives").isNotNull();
          seen.add(weightOf(s, V2));
        }
        Thread.sleep(DEBOUNCE.toMillis() * 2);
        assertThat(m.pushes()).as("five applies inside one debounce window: one push").isEqualTo(pushes + 1);
        assertThat(m.debounceEvents()).isEqualTo(events + 5);
        q.forEach(s -> seen.add(weightOf(s, V2)));
        assertThat(seen).as("the proxy never sees an intermediate split").containsOnly(50);
        assertThat(m.responses("rds")).isGreaterThan(rds);
        assertThat(m.pushTimeNanos()).isGreaterThan(pushNanos);

        var after = m.prometheus();
        assertThat(metric(after, "pilot_xds_push_time_count")).isEqualTo(metric(before, "pilot_xds_push_time_count") + 1);
        assertThat(metric(after, "pilot_xds_push_time_bucket{le=\"+Inf\"}")).isEqualTo(pushes + 1);
        assertThat(metric(after, "pilot_xds_push_time_bucket{le=\"30.0\"}")).as("a push of a tiny mesh takes < 30 s").isEqualTo(pushes + 1);
        assertThat(metric(after, "pilot_debounce_events")).isEqualTo(events + 5);
        assertThat(metric(after, "pilot_xds_pushes{type=\"rds\"}")).isEqualTo(m.responses("rds"));
        assertThat(metric(after, "pilot_total_xds_rejects")).isZero();

        // A NACK counts once it arrives, in the API and in Prometheus text.
        assertThat(cp.store().apply(ConfigStore.API, Fixtures.yaml(Mesh.split(23, 77))).errors()).isEmpty();
        await(() -> m.nacks() >= 1);
        assertThat(metric(m.prometheus(), "pilot_total_xds_rejects")).isGreaterThanOrEqualTo(1);
        assertThat(weightOf(client.current(), V2)).as("the proxy keeps its last good config").isEqualTo(50);
      }
      await(() -> m.connectedProxies() == 0);
      assertThat(metric(m.prometheus(), "pilot_xds")).isZero();
    }
  }
}
