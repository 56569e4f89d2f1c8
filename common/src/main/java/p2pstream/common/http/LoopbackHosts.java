package p2pstream.common.http;

/**
 * The Host values a server bound to a loopback address answers: {@code localhost}, {@code 127.0.0.1} and
 * {@code [::1]}, with or without a port. A web page from elsewhere whose name an attacker re-pointed at 127.0.0.1
 * (DNS rebinding) still sends its own name, and is refused. Stateless.
 */
final class LoopbackHosts {
    private static final int MAX_PORT_DIGITS = 5;

    private LoopbackHosts() {
    }

    /** True for a loopback name with an optional numeric port; true without a Host (HTTP/1.0: no browser). */
    static boolean accepts(String host) {
        if (host == null) {
            return true;
        }
        String name = host;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && colon > host.lastIndexOf(']')) {
            String port = host.substring(colon + 1);
            if (port.isEmpty() || port.length() > MAX_PORT_DIGITS
                    || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
            name = host.substring(0, colon);
        }
        return name.equalsIgnoreCase("localhost") || name.equals("127.0.0.1") || name.equals("[::1]");
    }
}
