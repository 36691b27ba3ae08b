package io.meshwork.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class Http1ChecksUpgradeTest {
  static DefaultHttpRequest request(String upgrade, String connection) {
    var r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    r.headers().set("upgrade", upgrade).set("connection", connection).set("http2-settings", "AAMAAABkAAQCAAAAAAIAAAAA");
    return r;
  }

  @Test
  void websocketIsAnUpgrade() {
    assertThat(Http1Checks.upgradeType(request("websocket", "Upgrade"))).isEqualTo("websocket");
  }

  @Test
  void anH2cOfferIsServedAsHttp11AndItsHeadersAreDropped() {
    var r = request("h2c", "Upgrade, HTTP2-Settings");
    assertThat(Http1Checks.upgradeType(r)).isNull();
    var h = new DefaultHttpHeaders().add(r.headers());
    Http1Checks.removeHopByHop(h);
    assertThat(h.contains("upgrade")).isFalse();
    assertThat(h.contains("http2-settings")).isFalse();
    assertThat(h.contains("connection")).isFalse();
  }
}
