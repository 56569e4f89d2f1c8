package p2pstream.common.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Parses {@code host[:port]}, {@code [v6]:port} and bare IPv6 addresses into a socket address, with a
 * default port. Thread-safe (stateless).
 */
public final class Endpoint {
    private Endpoint() {
    }

    public static InetSocketAddress parse(String text, int defaultPort) {
        String host = text.trim();
        int port = defaultPort;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address: " + text + " (expected: [v6-address]:port)");
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("address: " + text + " (expected: [v6-address]:port)");
                }
                port = parsePort(rest.substring(1), text);
            }
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            int colon = host.indexOf(':');
            port = parsePort(host.substring(colon + 1), text);
            host = host.substring(0, colon);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("address: " + text + " (expected: host[:port])");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address: " + text + " does not resolve (expected: a host name or IP)");
        }
        return address;
    }

    /**
     * The address an option such as {@code --http [HOST:]PORT} binds: {@code PORT} alone is on the loopback address
     * (nothing outside the machine can reach it), {@code HOST:PORT} and {@code [v6]:PORT} as given; 0 picks a port.
     */
    public static InetSocketAddress listen(String option, String text) {
        String t = text.trim();
        int colon = t.indexOf(':');
        boolean portOnly = !t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9');
        boolean hasPort = t.startsWith("[") ? t.contains("]:") : colon >= 0 && colon == t.lastIndexOf(':');
        if (!portOnly && !hasPort) {
            throw new IllegalArgumentException(option + ": " + text + " (expected: [HOST:]PORT, e.g. 8080 or"
                    + " 0.0.0.0:8080)");
        }
        try {
            return portOnly ? new InetSocketAddress(InetAddress.getLoopbackAddress(), parsePort(t, text))
                    : parse(t, 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private static int parsePort(String s, String text) {
        try {
            int port = Integer.parseInt(s);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new IllegalArgumentException("port: " + s + " in " + text + " (expected: 0..65535)");
    }
}
