package io.meshwork.samples.voting.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void quotedStringsParseBackUnchanged() {
        String tricky = "a\"b\\c\nd\té\u0001";
        var parsed = Json.parseFlatObject("{\"voter_id\":" + Json.quote(tricky) + ",\"vote\":\"a\"}");
        assertThat(parsed).containsEntry("voter_id", tricky).containsEntry("vote", "a");
    }

    @Test
    void keepsLiteralsAsText() {
        var parsed = Json.parseFlatObject(" { \"n\" : 12 , \"ok\":true, \"x\": null, \"u\":\"\\u0041\" } ");
        assertThat(parsed).containsEntry("n", "12").containsEntry("ok", "true").containsEntry("x", null).containsEntry("u", "A");
    }

    @Test
    void rejectsWhatNoVoteMessageLooksLike() {
        assertThatThrownBy(() -> Json.parseFlatObject("{\"a\":{\"b\":1}}")).hasMessageContaining("nested");
        assertThatThrownBy(() -> Json.parseFlatObject("{\"a\":1} trailing")).hasMessageContaining("after the object");
        assertThatThrownBy(() -> Json.parseFlatObject("{\"a\":nope}")).hasMessageContaining("bad literal");
        assertThatThrownBy(() -> Json.parseFlatObject("{\"a\":\"unterminated")).hasMessageContaining("unexpected end");
    }

    @Test
    void formsDecodePercentAndPlus() {
        assertThat(Exchanges.form("vote=a&voter_id=x%2By&name=two+words"))
                .containsEntry("vote", "a").containsEntry("voter_id", "x+y").containsEntry("name", "two words");
    }
}
