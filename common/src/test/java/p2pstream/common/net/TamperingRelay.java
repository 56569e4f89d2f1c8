package p2pstream.common.net;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An attacker on the path of the secure transport: relays each connection to {@code target} and, on the target's
 * answer, does one thing to one unit (the length-prefixed handshake messages and records of PROTOCOL.md section 9;
 * the answer's first unit is handshake message 2, the ones after it records): flips a bit of it, sends it twice,
 * swaps it with the next, drops it, or sends half of it and ends the connection. Its threads are its own.
 */
public final class TamperingRelay extends LoopbackRelay {
    /** What is done to the chosen unit. */
    public enum Tamper { FLIP, REPLAY, SWAP, DROP, CUT }

    private final Tamper tamper;
    private final int atUnit;
    /** Connections whose answer reached the chosen unit, so the tamper was done. */
    public final AtomicInteger tampered = new AtomicInteger();

    /** @param atUnit the index of the answer's unit tampered with (0: handshake message 2; 1 on: records) */
    public TamperingRelay(InetSocketAddress target, Tamper tamper, int atUnit) throws IOException {
        super(target);
        this.tamper = tamper;
        this.atUnit = atUnit;
        acceptAll();
    }

    @Override
    protected void relay(Socket client, Socket server) {
        start(() -> copy(client, server), "tamper-up");
        start(() -> tamperAnswer(server, client), "tamper-down");
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
            closeQuietly(from);
            closeQuietly(to);
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
            closeQuietly(from);
            closeQuietly(to);
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
}
