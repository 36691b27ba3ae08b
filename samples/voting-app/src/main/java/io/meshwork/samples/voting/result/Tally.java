package io.meshwork.samples.voting.result;

import io.meshwork.samples.voting.http.Json;
import java.util.Locale;

/** Vote counts for options a and b, and the JSON the API and the stream send. */
public record Tally(long a, long b) {
    public static final Tally EMPTY = new Tally(0, 0);

    public long total() {
        return a + b;
    }

    /** Percentage of {@code count} in the total, 0 when nobody voted. */
    public double percent(long count) {
        return total() == 0 ? 0 : 100.0 * count / total();
    }

    public String toJson(String optionA, String optionB) {
        return "{\"option_a\":" + Json.quote(optionA) + ",\"option_b\":" + Json.quote(optionB)
                + ",\"a\":" + a + ",\"b\":" + b + ",\"total\":" + total()
                + ",\"percent_a\":" + String.format(Locale.ROOT, "%.1f", percent(a))
                + ",\"percent_b\":" + String.format(Locale.ROOT, "%.1f", percent(b)) + "}";
    }
}
