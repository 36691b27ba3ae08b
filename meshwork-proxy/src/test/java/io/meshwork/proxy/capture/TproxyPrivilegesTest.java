package io.meshwork.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshwork.testing.netns.ThreadCapabilities;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

/** TPROXY needs CAP_NET_ADMIN; without it the proxy says so instead of serving a deaf 15006 listener. */
class TproxyPrivilegesTest {
  @Test
  void withCapNetAdminNothingIsMissingWithoutItTheReasonIsNamed() throws Exception {
    assumeTrue(Epoll.isAvailable(), "skipped: epoll unavailable");
    assumeTrue(ThreadCapabilities.has(ThreadCapabilities.CAP_NET_ADMIN), "skipped: this JVM has no CAP_NET_ADMIN to drop");
    assertThat(TproxyPrivileges.missing()).isEmpty();
    var missing = ThreadCapabilities.withoutEffective(TproxyPrivileges::missing,
        ThreadCapabilities.CAP_NET_ADMIN, ThreadCapabilities.CAP_NET_RAW);
    assertThat(missing).hasValueSatisfying(m -> assertThat(m).contains("TPROXY capture needs CAP_NET_ADMIN")
        .contains("REDIRECT"));
    assertThat(TproxyPrivileges.missing()).as("only that thread lost it").isEmpty();
  }
}
