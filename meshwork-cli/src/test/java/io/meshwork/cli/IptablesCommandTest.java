package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.capture.CaptureConfig;
import io.meshwork.proxy.capture.CaptureRules;
import io.meshwork.proxy.capture.InterceptionMode;
import io.meshwork.proxy.capture.PortSelection;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesCommandTest {

  @Test
  void dryRunPrintsTheDefaultRuleSet() {
    var r = CliRunner.run("iptables", "--dry-run");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo(CaptureRules.generate(CaptureConfig.defaults()).dryRun());
    assertThat(r.out()).contains("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001");
  }

  @Test
  void optionsReachTheGenerator() {
    var r = CliRunner.run("iptables", "-n", "--mode", "tproxy", "--proxy-uid", "2000",
        "--inbound-ports", "9080,9090", "--exclude-outbound-cidrs", "10.0.0.0/8", "--exclude-outbound-ports", "5432");
    assertThat(r.exitCode()).isZero();
    var expected = CaptureConfig.builder().mode(InterceptionMode.TPROXY)
        .proxyUids(List.of("2000")).proxyGids(List.of("2000"))
        .inboundPorts(PortSelection.of(9080, 9090))
        .excludeOutboundCidrs(List.of("10.0.0.0/8")).excludeOutboundPorts(List.of(5432)).build();
    assertThat(r.out()).isEqualTo(CaptureRules.generate(expected).dryRun());
    assertThat(r.out()).contains("--uid-owner 2000", "--gid-owner 2000", "-d 10.0.0.0/8 -j RETURN",
        "--dport 9090 -j ISTIO_TPROXY", "#   ip -4 rule add fwmark 1337 lookup 133");
  }

  @Test
  void badOptionsAreOneSentenceAndExitTwo() {
    var r = CliRunner.run("iptables", "--dry-run", "--mode", "EBPF");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("meshwork: --mode: 'EBPF' is not a mode; use REDIRECT or TPROXY");
    var r2 = CliRunner.run("iptables", "--dry-run", "--exclude-outbound-cidrs", "10.0.0/8");
    assertThat(r2.exitCode()).isEqualTo(2);
    assertThat(r2.err()).contains("--exclude-outbound-cidrs: '10.0.0/8' is not an IPv4 CIDR");
  }
}
