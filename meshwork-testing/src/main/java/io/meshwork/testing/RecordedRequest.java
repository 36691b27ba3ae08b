package io.meshwork.testing;

import java.util.List;
import java.util.Map;

/** A request as a {@link FakeUpstream} received it; header names are lower case. */
public record RecordedRequest(String method, String uri, Map<String, List<String>> headers, String body, int connectionId) {
  /** The first value of a header, or null. */
  public String header(String name) {
    var v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
