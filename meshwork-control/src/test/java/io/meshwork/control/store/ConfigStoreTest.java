package io.meshwork.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.ResourceKey;
import io.meshwork.control.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {
  private static final ResourceKey REVIEWS = new ResourceKey("", "Service", "default", "reviews");
  private static final String BAD_VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: broken
      spec:
        hosts: []
        http:
        - route:
          - destination:
              host: reviews
            weight: -1
      """;

  @Test
  void aBatchWithOneInvalidDocumentChangesNothingAndReportsEveryError() {
    var store = new ConfigStore();
    var badService = "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n";
    var r = store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC + "---\n" + BAD_VS + "---\n" + badService));
    assertThat(r.ok()).isFalse();
    assertThat(r.errors()).hasSize(3);
    assertThat(r.errors().get(0)).contains("VirtualService/default/broken", "weight");
    assertThat(r.errors().get(1)).contains("test.yaml#2", "metadata.name");
    assertThat(store.snapshot().resources()).isEmpty();
    assertThat(store.snapshot().revision()).isZero();
  }

  @Test
  void writesCarryResourceVersionsAndReapplyingIsUnchanged() {
    var store = new ConfigStore();
    var events = new ArrayList<StoreEvent>();
    store.watch(events::add);
    var first = store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC));
    assertThat(first.changes().getFirst().action()).isEqualTo(ApplyResult.Action.CREATED);
    assertThat(store.snapshot().get(REVIEWS).metadata().resourceVersion()).isEqualTo("1");
    var again = store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC));
    assertThat(again.changes().getFirst().action()).isEqualTo(ApplyResult.Action.UNCHANGED);
    var changed = store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC.replace("9080", "9081")));
    assertThat(changed.changes().getFirst().action()).isEqualTo(ApplyResult.Action.CONFIGURED);
    assertThat(store.snapshot().get(REVIEWS).metadata().resourceVersion()).isEqualTo("2");
    assertThat(events).extracting(StoreEvent::revision).containsExactly(1L, 2L);
    assertThat(events.getFirst().changed()).containsExactly(REVIEWS);
  }

  @Test
  void deleteReportsMissingKeys() {
    var store = new ConfigStore();
    store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC));
    var missing = new ResourceKey("", "Service", "default", "nope");
    var r = store.delete(List.of(REVIEWS, missing));
    assertThat(r.changes()).extracting(ApplyResult.Change::action)
        .containsExactly(ApplyResult.Action.DELETED, ApplyResult.Action.NOT_FOUND);
    assertThat(store.snapshot().resources()).isEmpty();
  }

  @Test
  void syncReplacesOnlyWhatTheOwnerHolds() {
    var store = new ConfigStore();
    store.apply(ConfigStore.API, Fixtures.yaml(Fixtures.REVIEWS_SVC));
    var ratings = Fixtures.REVIEWS_SVC.replace("reviews", "ratings");
    var details = Fixtures.REVIEWS_SVC.replace("reviews", "details");
    store.sync("dir", Fixtures.yaml(ratings + "---\n" + details));
    assertThat(store.snapshot().resources()).hasSize(3);
    store.sync("dir", Fixtures.yaml(ratings));
    assertThat(store.snapshot().resources().keySet()).extracting(ResourceKey::name).containsExactlyInAnyOrder("reviews", "ratings");
    var rejected = store.sync("dir", Fixtures.yaml(BAD_VS));
    assertThat(rejected.ok()).isFalse();
    assertThat(store.snapshot().resources().keySet()).extracting(ResourceKey::name).containsExactlyInAnyOrder("reviews", "ratings");
  }
}
