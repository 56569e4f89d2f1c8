package p2pstream.peer.http;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.regex.Pattern;
import p2pstream.peer.server.QrModules;

/**
 * The address of a watch page for another device, shown as a QR code: the gateway's own address when it listens
 * on one, or, listening on every interface, the name the browser used (unless a loopback one) or the machine's
 * first private IPv4 address. A gateway bound to loopback answers this machine only, and the page says so.
 * Immutable; any thread.
 *
 * @param base            {@code http://HOST:PORT}, as another device (or this machine only) reaches the gateway
 * @param thisMachineOnly the link works on this machine only (the gateway listens on loopback)
 */
record WatchLink(String base, String path, boolean thisMachineOnly) {
    /** What a Host header may hold to be used in a link: a name or address and a port, nothing else. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    /**
     * The link to {@code path} (from '/') for a request to a gateway bound to {@code bound} whose Host header was
     * {@code host} (hostile input: used only when it is a plain name or address; null if there was none).
     */
    static WatchLink of(InetSocketAddress bound, String host, String path) {
        InetAddress a = bound.getAddress();
        String asked = hostName(host);
        if (a.isLoopbackAddress()) {
            return link(asked != null ? asked : literal(a), bound.getPort(), path, true);
        }
        if (!a.isAnyLocalAddress()) {
            return link(literal(a), bound.getPort(), path, false);
        }
        if (asked != null && !isLoopbackName(asked)) {
            return link(asked, bound.getPort(), path, false);
        }
        InetAddress lan = privateAddress();
        return lan != null ? link(literal(lan), bound.getPort(), path, false)
                : link(asked != null ? asked : "127.0.0.1", bound.getPort(), path, true);
    }

    String url() {
        return base + path;
    }

    /** The link's QR code modules, {@code [y][x]} dark. */
    boolean[][] qrModules() {
        return QrModules.of(url());
    }

    /** The name part of a Host header (without its port) when it is a plain name or address; else null. */
    private static String hostName(String host) {
        if (host == null) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        String name = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
        return HOST.matcher(name).matches() ? name : null;
    }

    private static boolean isLoopbackName(String name) {
        return name.equalsIgnoreCase("localhost") || name.startsWith("127.") || name.equals("[::1]");
    }

    private static String literal(InetAddress a) {
        String h = a.getHostAddress();
        int zone = h.indexOf('%');
        h = zone >= 0 ? h.substring(0, zone) : h;
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }

    private static WatchLink link(String host, int port, String path, boolean thisMachineOnly) {
        return new WatchLink("http://" + host + ":" + port, path, thisMachineOnly);
    }

    /** The first private (site-local) IPv4 address of an interface that is up; null when there is none. */
    private static InetAddress privateAddress() {
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!n.isUp() || n.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address && a.isSiteLocalAddress()) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            return null; // no interfaces to read: the link says this machine
        }
        return null;
    }
}
