package p2pstream.peer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import p2pstream.common.tools.Tools;

/**
 * Hosts, LANs and home-router NATs made of Linux network namespaces, for end-to-end tests of what crosses a network:
 * every LAN is a bridge in its own namespace, every host a namespace with a veth on each LAN it joins, every NAT a
 * host on two LANs that forwards and masquerades like a home router (a stateful firewall drops what nobody inside
 * asked for). Nothing is made in, or routed to, the machine's own namespace; {@link #close} removes it all.
 * Skips the calling test, saying why, where namespaces cannot be made (not root). Test threads only.
 *
 * <pre>
 * try (NetLab lab = NetLab.open(logDir)) {
 *     NetLab.Lan internet = lab.lan("inet", "198.18.0");           // hosts get 198.18.0.2, .3, ...
 *     NetLab.Host tracker = lab.host("trk", internet);
 *     NetLab.Lan home = lab.lan("a", "10.77.1");
 *     lab.nat("nata", internet, home, NetLab.Mapping.ENDPOINT_INDEPENDENT);
 *     NetLab.Host viewer = lab.host("va", home);                    // default route through the NAT
 *     processes.start(viewer.wrap(Processes.java("peer-client.jar", ...)));
 * }
 * </pre>
 */
final class NetLab implements AutoCloseable {
    /** How a NAT picks the public port of an outgoing connection. */
    enum Mapping {
        /** Linux's MASQUERADE: keeps the source port where it is free, one mapping per inside address and port. */
        ENDPOINT_INDEPENDENT,
        /** MASQUERADE --random-fully: a random port per connection, as a symmetric NAT does. */
        RANDOM
    }

    private static final String PREFIX = "p2ps";
    /** Labs made by this JVM: the second part of a lab's tag (the first is the JVM's pid). */
    private static final AtomicInteger LABS = new AtomicInteger();
    private final String tag;
    private final List<String> namespaces = new ArrayList<>();
    private int links;

    private NetLab(String tag) {
        this.tag = tag;
    }

    /** A lab for one test, after making sure {@code ip} and {@code iptables} are there (apt-get's log in logDir). */
    static NetLab open(Path logDir) throws IOException, InterruptedException {
        String user = run(List.of("id", "-u")).strip();
        Assumptions.assumeTrue(user.equals("0"), "skipped: network namespaces need root (uid " + user + ")");
        Tools.ensure(logDir, "ip:iproute2", "iptables:iptables");
        removeStale();
        return new NetLab(ProcessHandle.current().pid() + "n" + LABS.getAndIncrement());
    }

    /** A LAN: a bridge in its own namespace; hosts joining it get {@code net.2}, {@code net.3}, ... (a /24). */
    Lan lan(String name, String net) throws IOException, InterruptedException {
        String ns = namespace("l" + name);
        ip(ns, "link", "add", "br0", "type", "bridge");
        ip(ns, "link", "set", "br0", "up");
        return new Lan(ns, net);
    }

    /** A host on {@code lan}, its default route through the LAN's NAT if it has one. */
    Host host(String name, Lan lan) throws IOException, InterruptedException {
        Host host = new Host(namespace("h" + name));
        String address = host.join(lan);
        host.address = address;
        if (lan.gateway != null) {
            ip(host.ns, "route", "add", "default", "via", lan.gateway);
        }
        return host;
    }

    /**
     * A home router between {@code outside} and {@code inside}: forwards, masquerades what leaves through
     * {@code outside} with {@code mapping}, lets in only replies to what left (and new connections the router
     * itself serves, such as a port-mapping daemon's), and becomes the inside LAN's gateway.
     */
    Host nat(String name, Lan outside, Lan inside, Mapping mapping) throws IOException, InterruptedException {
        Host router = new Host(namespace("n" + name));
        router.address = router.join(outside); // eth0
        inside.gateway = router.join(inside); // eth1
        sh(router.ns, "sysctl -qw net.ipv4.ip_forward=1");
        sh(router.ns, "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE"
                + (mapping == Mapping.RANDOM ? " --random-fully" : ""));
        sh(router.ns, "iptables -A FORWARD -i eth1 -o eth0 -j ACCEPT");
        sh(router.ns, "iptables -A FORWARD -i eth0 -o eth1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
        sh(router.ns, "iptables -P FORWARD DROP");
        // a home router answers nothing unsolicited on its outside: no reset that would cut a punch attempt short
        sh(router.ns, "iptables -A INPUT -i eth0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
        sh(router.ns, "iptables -A INPUT -i eth0 -p tcp --syn -j DROP");
        return router;
    }

    /**
     * Makes {@code router} (a NAT from {@link #nat}) map new connections with {@code mapping} from now on, as a
     * router whose firmware changed would; the attempts that got no answer are forgotten (their conntrack entries
     * would keep the old mapping for two minutes), the connections running keep theirs. apt-get's log in dir.
     */
    void remap(Host router, Mapping mapping, Path dir) throws IOException, InterruptedException {
        Tools.ensure(dir, "conntrack:conntrack");
        router.sh("iptables -t nat -R POSTROUTING 1 -o eth0 -j MASQUERADE"
                + (mapping == Mapping.RANDOM ? " --random-fully" : "")
                + " && (conntrack -D -p tcp --state SYN_SENT 2>&1 || true)");
    }

    /**
     * Runs miniupnpd on {@code router} (a NAT from {@link #nat}) as a home router's port-mapping service: NAT-PMP for
     * the hosts of its inside LAN, each only for its own address, forwarding through the router's firewall what it
     * maps. Installed from the project's scripts; its log and files go to {@code dir}; stopped when the lab closes.
     */
    Process portMapper(Host router, Path dir) throws IOException, InterruptedException {
        Tools.ensure(dir, "miniupnpd:miniupnpd-iptables");
        // the chains miniupnpd fills, hooked where a router's init script hooks them; Debian's miniupnpd-iptables
        // writes through the legacy iptables interface, beside the nf_tables rules of nat(): the forwarding those
        // allow must let in what miniupnpd's DNAT maps, too
        String legacy = "iptables-legacy";
        router.sh(legacy + " -t nat -N MINIUPNPD && " + legacy + " -t nat -I PREROUTING -i eth0 -j MINIUPNPD && "
                + legacy + " -t nat -N MINIUPNPD-POSTROUTING && " + legacy
                + " -t nat -I POSTROUTING -o eth0 -j MINIUPNPD-POSTROUTING && " + legacy + " -t filter -N MINIUPNPD && "
                + legacy + " -t filter -I FORWARD -i eth0 ! -o eth0 -j MINIUPNPD && " + legacy
                + " -t mangle -N MINIUPNPD && " + legacy + " -t mangle -I PREROUTING -i eth0 -j MINIUPNPD"
                + " && iptables -I FORWARD -i eth0 -o eth1 -m conntrack --ctstate DNAT -j ACCEPT");
        Path conf = dir.resolve(router.ns + "-miniupnpd.conf");
        Files.writeString(conf, String.join("\n",
                "ext_ifname=eth0",
                "listening_ip=eth1",
                "enable_natpmp=yes",
                "enable_upnp=no",
                "secure_mode=yes",
                "lease_file=" + dir.resolve(router.ns + "-leases"),
                "uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b",
                "allow 1024-65535 0.0.0.0/0 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535", ""));
        Process p = new ProcessBuilder("ip", "netns", "exec", router.ns, "miniupnpd", "-d", "-f", conf.toString(),
                "-P", dir.resolve(router.ns + "-miniupnpd.pid").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(router.ns + "-miniupnpd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (router.sh("ss -lunH 'sport = :5351' || true").isBlank()) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "miniupnpd did not start: "
                    + Files.readString(dir.resolve(router.ns + "-miniupnpd.log")));
            Thread.sleep(50);
        }
        return p;
    }

    /** One LAN: the namespace holding its bridge, its /24 and the next host number. */
    static final class Lan {
        private final String ns;
        private final String net;
        private String gateway;
        private int next = 2;

        private Lan(String ns, String net) {
            this.ns = ns;
            this.net = net;
        }
    }

    /** One host: a namespace, its address on its first LAN, and how to run a command inside it. */
    final class Host {
        private final String ns;
        private String address;
        private int interfaces;

        private Host(String ns) {
            this.ns = ns;
        }

        /** The address other hosts of its first LAN reach it at (for a NAT: its outside, public address). */
        String address() {
            return address;
        }

        /**
         * Adds an interface on a second LAN, {@code lan}, and returns its address there; routes stay as they were (the
         * new LAN is on-link, the default route, if any, still leads through the first LAN's NAT): a host with a
         * foot in two networks, such as a home server with a public interface.
         */
        String attach(Lan lan) throws IOException, InterruptedException {
            return join(lan);
        }

        /** The namespace's name, for {@code ip netns exec}. */
        String namespace() {
            return ns;
        }

        /** {@code pb} run inside this host ({@code ip netns exec NS ...}), its environment kept. */
        ProcessBuilder wrap(ProcessBuilder pb) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
            cmd.addAll(pb.command());
            return pb.command(cmd);
        }

        /** Runs {@code script} with bash inside this host and returns its output; fails the test on a non-zero exit. */
        String sh(String script) throws IOException, InterruptedException {
            return NetLab.sh(ns, script);
        }

        /** Adds an interface {@code ethN} on {@code lan} with the LAN's next address; returns that address. */
        private String join(Lan lan) throws IOException, InterruptedException {
            String inside = "eth" + interfaces++;
            String outside = "v" + tag + (links++);
            run(List.of("ip", "link", "add", "name", inside, "netns", ns, "type", "veth", "peer", "name", outside,
                    "netns", lan.ns));
            ip(lan.ns, "link", "set", outside, "master", "br0");
            ip(lan.ns, "link", "set", outside, "up");
            String address = lan.net + "." + lan.next++;
            ip(ns, "addr", "add", address + "/24", "dev", inside);
            ip(ns, "link", "set", inside, "up");
            return address;
        }
    }

    private String namespace(String role) throws IOException, InterruptedException {
        String ns = PREFIX + "-" + tag + "-" + role;
        run(List.of("ip", "netns", "add", ns));
        namespaces.add(ns);
        ip(ns, "link", "set", "lo", "up");
        return ns;
    }

    /** Removes every namespace the lab made, with whatever still runs inside (their veths go with them). */
    @Override
    public void close() throws IOException, InterruptedException {
        for (String ns : namespaces) {
            delete(ns);
        }
        namespaces.clear();
    }

    private static void delete(String ns) throws IOException, InterruptedException {
        // processes a test left inside would keep the namespace's interfaces alive
        run(List.of("bash", "-c", "for p in $(ip netns pids " + ns + " 2>/dev/null); do kill -9 $p; done; "
                + "ip netns del " + ns + " 2>/dev/null; true"));
    }

    /** Namespaces of labs whose JVM is gone (killed before its close ran); another JVM's running lab stays. */
    private static void removeStale() throws IOException, InterruptedException {
        Matcher m = Pattern.compile("^" + PREFIX + "-(\\d+)n\\d+-").matcher("");
        for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
            String ns = line.split(" ")[0];
            if (m.reset(ns).find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                delete(ns);
            }
        }
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private static String sh(String ns, String script) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", ns, "bash", "-c", script));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", cmd) + " did not end");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + output);
        return output;
    }
}
