package io.meshwork.samples.voting;

/** A {@code host:port} pair from a setting such as {@code REDIS_ADDR} or {@code DB_ADDR}. */
public record HostPort(String host, int port) {

    public HostPort {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Port " + port + " is out of range 0-65535.");
        }
    }

    /** Parses {@code host:port} (also {@code [v6]:port}); {@code setting} names the source in errors. */
    public static HostPort parse(String setting, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(setting + "='" + text + "' is not host:port; set it like 127.0.0.1:6379.");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new HostPort(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + "='" + text + "' has no numeric port; set it like 127.0.0.1:6379.", e);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
