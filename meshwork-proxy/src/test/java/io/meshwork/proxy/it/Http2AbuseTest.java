package io.meshwork.proxy.it;

import static io.meshwork.proxy.it.ProxyHarness.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/2 abuse (issue 12), written frame by frame on a raw socket so that nothing in a client
 * library smooths it over: rapid reset (CVE-2023-44487), PING and SETTINGS floods from a peer that
 * never reads, an HPACK header-list bomb (a few KB on the wire that decode to megabytes), and the
 * stream and header-list limits the proxy advertises. The mitigations are Netty's HTTP/2 codec
 * defaults (at most 200 RST_STREAM per 30 s, at most 10,000 queued control frames), our limit of
 * 1,000 PING/SETTINGS frames in a row without stream work ({@code Http2ControlFrameLimit}), plus the
 * listener's {@code max_request_headers_kb} and 1,024 concurrent streams; these tests prove they
 * are in force on the proxy's listener. Not an {@code *IntegrationTest}: the floods take tens of
 * seconds, so this class runs once (default transport), not again on NIO.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(60)
class Http2AbuseTest {
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;
  static final int FLOW_CONTROL_ERROR = 0x3;
  static final int ENHANCE_YOUR_CALM = 0xb;

  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");
  static ProxyHarness proxy;

  @BeforeAll
  static void start() throws Exception {
    proxy = ProxyHarness.start(ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, cluster("backend", "ROUND_ROBIN", "a")), a);
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  /** A prior-knowledge h2c connection speaking raw frames. */
  static final class RawH2 implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final DataInputStream in;

    RawH2() throws IOException {
      this(0);
    }

    /** With {@code receiveBuffer} > 0, a small receive buffer, so that a peer that does not read backs up the proxy soon. */
    RawH2(int receiveBuffer) throws IOException {
      socket = new Socket();
      if (receiveBuffer > 0) {
        socket.setReceiveBufferSize(receiveBuffer);
      }
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.port("http")));
      socket.setSoTimeout(20_000);
      out = socket.getOutputStream();
      in = new DataInputStream(socket.getInputStream());
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(SETTINGS, 0, 0, new byte[0]);
    }

    void frame(int type, int flags, int stream, byte[] payload) throws IOException {
      out.write(encode(type, flags, stream, payload));
    }

    static byte[] encode(int type, int flags, int stream, byte[] payload) {
      var b = new byte[9 + payload.length];
      b[0] = (byte) (payload.length >>> 16);
      b[1] = (byte) (payload.length >>> 8);
      b[2] = (byte) payload.length;
      b[3] = (byte) type;
      b[4] = (byte) flags;
      b[5] = (byte) (stream >>> 24);
      b[6] = (byte) (stream >>> 16);
      b[7] = (byte) (stream >>> 8);
      b[8] = (byte) stream;
      System.arraycopy(payload, 0, b, 9, payload.length);
      return b;
    }

    /** The next frame, or null at end of stream (the proxy closed the connection). */
    Frame read() throws IOException {
      var head = new byte[9];
      try {
        in.readFully(head);
      } catch (EOFException | SocketException e) {
        return null;
      }
      int len = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
      var payload = new byte[len];
      try {
        in.readFully(payload);
      } catch (EOFException | SocketException e) {
        return null;
      }
      int stream = (head[5] & 0x7f) << 24 | (head[6] & 0xff) << 16 | (head[7] & 0xff) << 8 | head[8] & 0xff;
      return new Frame(head[3] & 0xff, head[4] & 0xff, stream, payload);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  record Frame(int type, int flags, int stream, byte[] payload) {
    int errorCode() {
      int o = type == GOAWAY ? 4 : 0;
      return (payload[o] & 0xff) << 24 | (payload[o + 1] & 0xff) << 16 | (payload[o + 2] & 0xff) << 8 | payload[o + 3] & 0xff;
    }
  }

  /** HPACK for GET / with authority x: :method GET (2), :scheme http (6), :path / (4), :authority literal. */
  static final byte[] GET = {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x01, 0x01, 'x'};

  static void hpackInt(ByteArrayOutputStream b, int prefixBits, int first, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      b.write(first | value);
      return;
    }
    b.write(first | max);
    value -= max;
    while (value >= 128) {
      b.write(value % 128 + 128);
      value /= 128;
    }
    b.write(value);
  }

  @Test
  void rapidResetIsAnsweredWithGoawayEnhanceYourCalm() throws Exception {
    a.respondWith(Reply.ok("slow").withDelay(Duration.ofMillis(500)));
    long premature = proxy.stat(PREMATURE_RESETS);
    long rxReset = proxy.stat("http2.rx_reset");
    int streams = 1000;
    Frame goaway = null;
    try (var c = new RawH2()) {
      var burst = new ByteArrayOutputStream();
      for (int i = 0; i < streams; i++) {
        int id = 2 * i + 1;
        burst.write(RawH2.encode(HEADERS, 0x5, id, GET)); // END_STREAM | END_HEADERS
        burst.write(RawH2.encode(RST_STREAM, 0, id, new byte[] {0, 0, 0, 8})); // CANCEL
      }
      try {
        c.out.write(burst.toByteArray());
      } catch (SocketException closedWhileWriting) {
        // the proxy may close before the whole burst is written
      }
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == GOAWAY) {
          goaway = f;
        }
      }
    }
    assertThat(goaway).as("GOAWAY before the connection closed").isNotNull();
    assertThat(goaway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
    ProxyHarness.await(() -> false); // let cancelled upstream requests settle (5 s at most)
    System.err.printf("reliability: rapid reset: %d streams opened and reset, %d reached the upstream%n", streams, a.requests().size());
    assertThat(a.requests().size()).as("most reset streams never cost an upstream request").isLessThan(streams / 2);
    assertCounted(PREMATURE_RESETS, premature);
    assertThat(proxy.stat("http2.rx_reset") - rxReset).as("RST_STREAM frames read before the mitigation fired")
        .isGreaterThanOrEqualTo(200);
    assertStillServes();
  }

  @Test
  void pingFloodFromAPeerThatNeverReadsClosesTheConnection() throws Exception {
    controlFrameFlood(PING);
  }

  /** The same mitigation: SETTINGS frames count as control frames too. */
  @Test
  void settingsFloodFromAPeerThatNeverReadsClosesTheConnection() throws Exception {
    controlFrameFlood(SETTINGS);
  }

  void controlFrameFlood(int type) throws Exception {
    byte[] one = type == PING ? RawH2.encode(PING, 0, 0, new byte[8]) : RawH2.encode(SETTINGS, 0, 0, new byte[0]);
    var chunk = new ByteArrayOutputStream();
    for (int i = 0; i < 10_000; i++) {
      chunk.write(one);
    }
    var bytes = chunk.toByteArray();
    boolean closed = false;
    int written = 0;
    long floodsBefore = proxy.stat("http.ingress.http2.inbound_control_flood");
    long t0 = System.nanoTime();
    try (var c = new RawH2(4096)) {
      try {
        for (; written < 2_000_000; written += 10_000) { // never reading an ACK
          c.out.write(bytes);
        }
      } catch (SocketException e) {
        closed = true; // reset by the proxy
      }
      System.err.printf("reliability: flood of frame type %d: %d frames written before the proxy closed (%s) in %d ms%n", type, written,
          closed ? "while writing" : "after", (System.nanoTime() - t0) / 1_000_000);
      if (!closed) {
        // Reading now: the connection must end (EOF or reset), not keep answering.
        while (c.read() != null) {
          // drain the ACKs the proxy sent before it closed
        }
        closed = true;
      }
    }
    assertThat(closed).isTrue();
    assertCounted("http.ingress.http2.inbound_control_flood", floodsBefore);
    assertStillServes();
  }

  @Test
  void anHpackHeaderListBombIsRefusedWithoutReachingTheUpstream() throws Exception {
    int before = a.requests().size();
    long overflow = proxy.stat("http2.header_overflow");
    var block = new ByteArrayOutputStream();
    block.write(GET);
    // literal with incremental indexing, new name: a 4,000-byte value enters the dynamic table (index 62)
    block.write(0x40);
    hpackInt(block, 7, 0, 6);
    block.write("x-bomb".getBytes(StandardCharsets.US_ASCII));
    hpackInt(block, 7, 0, 4000);
    block.write("a".repeat(4000).getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 2000; i++) {
      block.write(0x80 | 62); // one byte each, 4 KB each once decoded: 8 MB in total
    }
    boolean refused = false;
    try (var c = new RawH2()) {
      c.frame(HEADERS, 0x5, 1, block.toByteArray());
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == RST_STREAM && f.stream() == 1 || f.type() == GOAWAY) {
          refused = true;
          break;
        }
        if (f.type() == HEADERS && f.stream() == 1) {
          refused = (f.payload()[0] & 0xff) != 0x88; // anything but :status 200 (static index 8)
          break;
        }
      }
    }
    assertThat(refused).as("stream reset, GOAWAY or an error status").isTrue();
    assertThat(a.requests()).as("the bomb never reaches the upstream").hasSize(before);
    assertCounted("http2.header_overflow", overflow);
    assertStillServes();
  }

  @Test
  void theProxyAdvertisesItsStreamAndHeaderListLimits() throws Exception {
    Map<Integer, Long> settings = new HashMap<>();
    try (var c = new RawH2()) {
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == SETTINGS && (f.flags() & 1) == 0) {
          var p = f.payload();
          for (int i = 0; i + 6 <= p.length; i += 6) {
            int id = (p[i] & 0xff) << 8 | p[i + 1] & 0xff;
            long v = (p[i + 2] & 0xffL) << 24 | (p[i + 3] & 0xff) << 16 | (p[i + 4] & 0xff) << 8 | p[i + 5] & 0xff;
            settings.put(id, v);
          }
          break;
        }
      }
    }
    assertThat(settings).containsEntry(0x3, 1024L); // SETTINGS_MAX_CONCURRENT_STREAMS
    assertThat(settings).containsKey(0x6); // SETTINGS_MAX_HEADER_LIST_SIZE from max_request_headers_kb
  }

  static final String PREMATURE_RESETS = "http.ingress.downstream_rq_too_many_premature_resets";

  /**
   * CONTINUATION flood (the CVE-2024-27316 family): a HEADERS frame without END_HEADERS followed by
   * an endless run of tiny CONTINUATION frames, which a naive server buffers without limit. Netty
   * allows 16 small ones in a row, then GOAWAY.
   */
  @Test
  void aContinuationFloodOfSmallFramesIsCutOffAndCounted() throws Exception {
    long flood = proxy.stat("http2.inbound_continuation_frames_flood");
    int before = a.requests().size();
    Frame goaway = continuationFlood(10_000, 1);
    assertThat(goaway).as("GOAWAY before the connection closed").isNotNull();
    assertCounted("http2.inbound_continuation_frames_flood", flood);
    assertThat(a.requests()).as("the unfinished request never reaches the upstream").hasSize(before);
    assertStillServes();
  }

  /** The same with full-size CONTINUATION frames: cut off once the header block exceeds the GOAWAY limit. */
  @Test
  void aContinuationFloodOfLargeFramesIsCutOffAtTheHeaderLimitAndCounted() throws Exception {
    long overflow = proxy.stat("http2.header_overflow");
    int before = a.requests().size();
    Frame goaway = continuationFlood(200, 16_384);
    assertThat(goaway).as("GOAWAY before the connection closed").isNotNull();
    assertCounted("http2.header_overflow", overflow);
    assertThat(a.requests()).hasSize(before);
    assertStillServes();
  }

  /** Writes HEADERS (no END_HEADERS) and {@code frames} CONTINUATION frames of {@code size} bytes; returns the GOAWAY read. */
  static Frame continuationFlood(int frames, int size) throws Exception {
    Frame goaway = null;
    try (var c = new RawH2()) {
      c.frame(HEADERS, 0x1, 1, GET); // END_STREAM, not END_HEADERS
      var one = RawH2.encode(CONTINUATION, 0, 1, new byte[size]); // never END_HEADERS
      try {
        for (int i = 0; i < frames; i++) {
          c.out.write(one);
        }
      } catch (SocketException closedWhileWriting) {
        // the proxy closed the connection part-way: the mitigation worked
      }
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == GOAWAY) {
          goaway = f;
        }
      }
    }
    return goaway;
  }

  /** Empty DATA frames without END_STREAM (free for the peer, work for the server): Netty allows 2 in a row, then GOAWAY. */
  @Test
  void aFloodOfEmptyDataFramesIsCutOffAndCounted() throws Exception {
    long flood = proxy.stat("http2.inbound_empty_frames_flood");
    int before = a.requests().size();
    Frame goaway = null;
    try (var c = new RawH2()) {
      c.frame(HEADERS, 0x4, 1, GET); // END_HEADERS, the body still to come
      var empty = RawH2.encode(DATA, 0, 1, new byte[0]);
      try {
        for (int i = 0; i < 1000; i++) {
          c.out.write(empty);
        }
      } catch (SocketException closedWhileWriting) {
        // the proxy closed the connection part-way
      }
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == GOAWAY) {
          goaway = f;
        }
      }
    }
    assertThat(goaway).as("GOAWAY before the connection closed").isNotNull();
    assertCounted("http2.inbound_empty_frames_flood", flood);
    assertThat(a.requests()).hasSize(before);
    assertStillServes();
  }

  /**
   * Window abuse: a WINDOW_UPDATE that pushes the connection window past 2^31-1 (GOAWAY
   * FLOW_CONTROL_ERROR), one that overflows a stream's window (RST_STREAM FLOW_CONTROL_ERROR, the
   * connection stays up) and a zero increment (GOAWAY PROTOCOL_ERROR); each is counted as
   * {@code http2.flow_control_error}, and other connections keep being served.
   */
  @Test
  void windowUpdateAbuseIsRefusedAndCounted() throws Exception {
    long flow = proxy.stat("http2.flow_control_error");
    var max = new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    try (var c = new RawH2()) {
      c.frame(WINDOW_UPDATE, 0, 0, max); // 65,535 + 2^31-1 overflows the connection window
      assertThat(goawayCode(c)).isEqualTo(FLOW_CONTROL_ERROR);
    }
    assertCounted("http2.flow_control_error", flow);

    long afterConnection = proxy.stat("http2.flow_control_error");
    try (var c = new RawH2()) {
      c.frame(HEADERS, 0x4, 1, GET); // END_HEADERS, the body still to come
      c.frame(WINDOW_UPDATE, 0, 1, max);
      Frame reset = null;
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == RST_STREAM && f.stream() == 1) {
          reset = f;
          break;
        }
      }
      assertThat(reset).as("the stream is reset (Netty's child channel resets it with CANCEL)").isNotNull();
      c.frame(HEADERS, 0x5, 3, GET); // the connection itself still serves
      a.respondWith(Reply.ok("a"));
      Frame response = null;
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == HEADERS && f.stream() == 3) {
          response = f;
          break;
        }
      }
      assertThat(response).as("a later stream on the same connection is answered").isNotNull();
    }
    assertCounted("http2.flow_control_error", afterConnection);

    long afterStream = proxy.stat("http2.flow_control_error");
    try (var c = new RawH2()) {
      c.frame(WINDOW_UPDATE, 0, 0, new byte[4]); // increment 0
      assertThat(goawayCode(c)).isEqualTo(0x1); // PROTOCOL_ERROR
    }
    assertCounted("http2.flow_control_error", afterStream);
    assertStillServes();
  }

  /**
   * Stream limit: a peer that opens more than the advertised 1,024 concurrent streams (requests
   * whose body never ends, so none completes) gets RST_STREAM REFUSED_STREAM for the excess ones,
   * counted in {@code http2.tx_reset}; none of them reaches the upstream, and the connection stays up.
   */
  @Test
  void streamsBeyondTheConcurrencyLimitAreRefusedAndCounted() throws Exception {
    int before = a.requests().size();
    long txReset = proxy.stat("http2.tx_reset");
    int opened = 1100;
    int refused = 0;
    try (var c = new RawH2()) {
      var burst = new ByteArrayOutputStream();
      for (int i = 0; i < opened; i++) {
        burst.write(RawH2.encode(HEADERS, 0x4, 2 * i + 1, GET)); // END_HEADERS only: the request stays open
      }
      c.out.write(burst.toByteArray());
      c.socket.setSoTimeout(5_000);
      try {
        for (Frame f; refused < opened - 1024 && (f = c.read()) != null; ) {
          if (f.type() == RST_STREAM && f.errorCode() == 0x7) { // REFUSED_STREAM
            refused++;
          }
        }
      } catch (java.net.SocketTimeoutException enough) {
        // no more frames
      }
      c.frame(PING, 0, 0, new byte[8]);
      Frame pong = null;
      for (Frame f; (f = c.read()) != null; ) {
        if (f.type() == PING && (f.flags() & 1) == 1) {
          pong = f;
          break;
        }
      }
      assertThat(pong).as("the connection is still up").isNotNull();
    }
    System.err.printf("reliability: %d streams opened, %d refused%n", opened, refused);
    assertThat(refused).as("streams beyond 1,024 refused").isEqualTo(opened - 1024);
    assertCounted("http2.tx_reset", txReset + refused - 1);
    assertThat(a.requests()).as("no unfinished request reached the upstream").hasSize(before);
    assertStillServes();
  }

  /** The mitigation counters are on the admin {@code /stats} page under the names docs/reliability.md gives. */
  @Test
  void theMitigationCountersAreOnTheStatsPage() throws Exception {
    try (var c = new RawH2()) {
      c.frame(WINDOW_UPDATE, 0, 0, new byte[4]);
      goawayCode(c);
    }
    var client = java.net.http.HttpClient.newHttpClient();
    var body = client.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/stats")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertThat(body).contains("http2.rx_reset: ", "http2.tx_reset: ", "http2.goaway_sent: ", "http2.outbound_control_flood: ",
        "http2.inbound_continuation_frames_flood: ", "http2.inbound_empty_frames_flood: ", "http2.header_overflow: ",
        "http2.flow_control_error: ", PREMATURE_RESETS + ": ", "http.ingress.http2.inbound_control_flood: ");
    assertThat(body).doesNotContain("http2.goaway_sent: 0\n");
  }

  static int goawayCode(RawH2 c) throws IOException {
    for (Frame f; (f = c.read()) != null; ) {
      if (f.type() == GOAWAY) {
        return f.errorCode();
      }
    }
    throw new AssertionError("the connection closed without GOAWAY");
  }

  /** Waits (up to 5 s) for a counter to move past {@code before}, then asserts it did. */
  static void assertCounted(String counter, long before) throws InterruptedException {
    ProxyHarness.await(() -> proxy.stat(counter) > before);
    long now = proxy.stat(counter);
    System.err.printf("reliability: %s %d -> %d%n", counter, before, now);
    assertThat(now).as(counter).isGreaterThan(before);
  }

  static void assertStillServes() throws Exception {
    a.respondWith(Reply.ok("a"));
    try (var h2 = new H2cClient(proxy.port("http"))) {
      assertThat(h2.send("GET", "x", "/after", null).status()).as("the proxy still serves other connections").isEqualTo(200);
    }
  }
}
