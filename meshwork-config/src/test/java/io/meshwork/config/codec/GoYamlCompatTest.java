package io.meshwork.config.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GoYamlCompatTest {
  @Test
  void ipv6ItemsEndingInAColonStayStringsAsInGo() throws Exception {
    var tree = ConfigLoader.YAML.readTree(GoYamlCompat.rewrite("addresses: [1.2.3.4, 2001:db8::]\nother: [a:, b]\n"));
    assertThat(tree.get("addresses").get(1).textValue()).isEqualTo("2001:db8::");
    assertThat(tree.get("other").get(0).textValue()).isEqualTo("a:");
  }

  @Test
  void everythingElseIsUntouched() {
    var text = "a: [x, y]\nb: {k: v}\nc: [\"q:\", 'r:']\nd: [1, [2:]]\n";
    assertThat(GoYamlCompat.rewrite(text)).isEqualTo(text);
    assertThat(GoYamlCompat.rewrite("hosts: [a.b]\n")).isEqualTo("hosts: [a.b]\n");
  }
}
