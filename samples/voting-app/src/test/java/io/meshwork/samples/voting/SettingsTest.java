package io.meshwork.samples.voting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void flagsOverrideEnvironmentAndShareItsNames() {
        var settings = Settings.of(Map.of("REDIS_ADDR", "redis:6379", "PORT", "80"), "--redis-addr=127.0.0.1:15001", "--DB_NAME=votes");
        assertThat(settings.address("REDIS_ADDR", "x:1")).isEqualTo(new HostPort("127.0.0.1", 15001));
        assertThat(settings.getInt("PORT", 8080)).isEqualTo(80);
        assertThat(settings.get("DB_NAME", "postgres")).isEqualTo("votes");
        assertThat(settings.get("MISSING", "fallback")).isEqualTo("fallback");
    }

    @Test
    void badInputNamesTheSettingAndTheFix() {
        assertThatThrownBy(() -> Settings.of(Map.of(), "vote")).hasMessageContaining("--NAME=value");
        assertThatThrownBy(() -> Settings.of(Map.of(), "--port")).hasMessageContaining("--port=value");
        assertThatThrownBy(() -> Settings.of(Map.of("PORT", "eighty")).getInt("PORT", 1)).hasMessageContaining("PORT='eighty'");
        assertThatThrownBy(() -> Settings.of(Map.of("DB_ADDR", "db")).address("DB_ADDR", "x:1")).hasMessageContaining("DB_ADDR='db' is not host:port");
    }

    @Test
    void parsesBracketedIpv6() {
        assertThat(HostPort.parse("X", "[::1]:6379")).isEqualTo(new HostPort("::1", 6379));
        assertThat(new HostPort("::1", 6379)).hasToString("[::1]:6379");
    }
}
