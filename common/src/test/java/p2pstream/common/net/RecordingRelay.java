package p2pstream.common.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * A man in the middle on loopback: accepts connections and relays each to {@code target}, recording every byte
 * both ways, and optionally flipping one bit of the target's answer at a given offset. Shows what an observer on
 * the path sees and what an attacker's change does. Its threads are its own; {@link #recorded()} from any thread.
 */
public final class RecordingRelay extends LoopbackRelay {
    private final long flipAtAnswerByte;
    private final long delayMillis;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();

    /** @param flipAtAnswerByte offset in the target's answer whose lowest bit is flipped; -1 for none */
    public RecordingRelay(InetSocketAddress target, long flipAtAnswerByte) throws IOException {
        this(target, flipAtAnswerByte, 0);
    }

    /**
     * @param delayMillis how long each connection waits before the relay passes its first byte either way (a
     *                    far peer: one found after a nearer one, whatever the schedule of the threads)
     */
    public RecordingRelay(InetSocketAddress target, long flipAtAnswerByte, long delayMillis) throws IOException {
        super(target);
        this.flipAtAnswerByte = flipAtAnswerByte;
        this.delayMillis = delayMillis;
        acceptAll();
    }

    /** Every byte relayed so far, both directions interleaved as they passed. */
    public byte[] recorded() {
        synchronized (recorded) {
            return recorded.toByteArray();
        }
    }

    @Override
    protected void relay(Socket client, Socket server) {
        pump(client, server, -1, "relay-up", delayMillis);
        pump(server, client, flipAtAnswerByte, "relay-down", delayMillis);
    }

    private void pump(Socket from, Socket to, long flipAt, String name, long delayMillis) {
        start(() -> {
            LockSupport.parkNanos(delayMillis * 1_000_000); // the delay is the scenario: nothing to wait on
            byte[] buffer = new byte[8192];
            long offset = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (flipAt >= offset && flipAt < offset + n) {
                        buffer[(int) (flipAt - offset)] ^= 1;
                    }
                    offset += n;
                    synchronized (recorded) {
                        recorded.write(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                }
                to.shutdownOutput();
            } catch (IOException e) {
                // one side went away: the other goes too
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, name);
    }
}
