package p2pstream.common.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An attacker on the path of the secure transport: relays each connection to {@code target} and, on the target's
 * answer, does one thing to one unit (the length-prefixed handshake messages and records of PROTOCOL.md section 9;
 * the answer's first unit is handshake message 2, the ones after it records): flips a bit of it, sends it twice,
 * swaps it with the next, drops it, or sends half of it and ends the connection. Its threads are its own.
 */
public final class TamperingRelay implements AutoCloseable {
    /** What is done to the chosen unit. */
    public enum Tamper { FLIP, REPLAY, SWAP, DROP, CUT }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Tamper tamper;
    private final int atUnit;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Connections whose answer reached the chosen unit, so the tamper was done. */
    public final AtomicInteger tampered = new AtomicInteger();

    /** @param atUnit the index of the answer's unit tampered with (0: handshake message 2; 1 on: records) */
    public TamperingRelay(InetSocketAddress target, Tamper tamper, int atUnit) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.tamper = tamper;
        this.atUnit = atUnit;
        Thread acceptor = new Thread(this::accept, "tamper-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    private void accept() {
        try {
            while (!listener.isClosed()) {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                sockets.add(client);
                sockets.add(server);
                start(() -> copy(client, server), "tamper-up");
                start(() -> tamperAnswer(server, client), "tamper-down");
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went
        } finally {
            close(from);
            close(to);
        }
    }

    private void tamperAnswer(Socket from, Socket to) {
        try (DataInputStream in = new DataInputStream(from.getInputStream()); OutputStream out = to.getOutputStream()) {
            byte[] held = null;
            for (int unit = 0; ; unit++) {
                byte[] u = readUnit(in);
                if (u == null) {
                    break;
                }
                if (unit != atUnit && held == null) {
                    out.write(u);
                    continue;
                }
                if (held != null) { // SWAP: the next one first, then the one held back
                    out.write(u);
                    out.write(held);
                    held = null;
                    continue;
                }
                tampered.incrementAndGet();
                switch (tamper) {
                    case FLIP -> {
                        u[u.length - 1] ^= 1; // in the tag
                        out.write(u);
                    }
                    case REPLAY -> {
                        out.write(u);
                        out.write(u);
                    }
                    case SWAP -> held = u;
                    case DROP -> {
                        // not sent
                    }
                    case CUT -> {
                        out.write(u, 0, u.length / 2);
                        out.flush();
                        return;
                    }
                    default -> throw new IllegalStateException(tamper.toString());
                }
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // either side went
        } finally {
            close(from);
            close(to);
        }
    }

    /** The next unit, length prefix included; null at the end of the stream. */
    private static byte[] readUnit(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = first << 8 | in.readUnsignedByte();
        byte[] unit = new byte[2 + length];
        unit[0] = (byte) first;
        unit[1] = (byte) length;
        in.readFully(unit, 2, length);
        return unit;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            close(s);
        }
    }
}
