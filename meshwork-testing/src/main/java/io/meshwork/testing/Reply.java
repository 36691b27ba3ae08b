package io.meshwork.testing;

import java.time.Duration;
import java.util.Map;

/**
 * What a {@link FakeUpstream} answers: a status, headers, a body, after an optional delay; or no
 * answer at all ({@link #never()}), or a connection reset ({@link #reset()}).
 */
public record Reply(int status, Map<String, String> headers, String body, Duration delay, Kind kind) {
  /** How the reply ends the exchange. */
  public enum Kind { RESPOND, NEVER, RESET }

  public static Reply ok(String body) {
    return new Reply(200, Map.of(), body, Duration.ZERO, Kind.RESPOND);
  }

  public static Reply status(int status) {
    return new Reply(status, Map.of(), "status " + status, Duration.ZERO, Kind.RESPOND);
  }

  /** Accepts the request and never answers (to test timeouts and cancellation). */
  public static Reply never() {
    return new Reply(0, Map.of(), "", Duration.ZERO, Kind.NEVER);
  }

  /** Closes the connection without answering (an upstream reset). */
  public static Reply reset() {
    return new Reply(0, Map.of(), "", Duration.ZERO, Kind.RESET);
  }

  public Reply withDelay(Duration d) {
    return new Reply(status, headers, body, d, kind);
  }

  public Reply withHeaders(Map<String, String> h) {
    return new Reply(status, Map.copyOf(h), body, delay, kind);
  }

  public Reply withBody(String b) {
    return new Reply(status, headers, b, delay, kind);
  }
}
