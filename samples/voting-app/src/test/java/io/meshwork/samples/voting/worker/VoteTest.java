package io.meshwork.samples.voting.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VoteTest {

    @Test
    void parsesTheMessageTheVoteServicePushes() {
        assertThat(Vote.parse("{\"voter_id\":\"4f2a\",\"vote\":\"b\"}")).isEqualTo(new Vote("4f2a", "b"));
    }

    @Test
    void refusesMessagesThatCannotBeARow() {
        assertThatThrownBy(() -> Vote.parse("{\"vote\":\"b\"}")).hasMessageContaining("voter_id");
        assertThatThrownBy(() -> Vote.parse("{\"voter_id\":\"x\",\"vote\":\"\"}")).hasMessageContaining("vote");
        assertThatThrownBy(() -> Vote.parse("{\"voter_id\":\"" + "x".repeat(256) + "\",\"vote\":\"a\"}")).hasMessageContaining("oversized");
        assertThatThrownBy(() -> Vote.parse("not json")).isInstanceOf(IllegalArgumentException.class);
    }
}
