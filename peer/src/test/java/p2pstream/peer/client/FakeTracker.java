package p2pstream.peer.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Welcome;

/**
 * A tracker that lies: it welcomes any HELLO and answers every LOOKUP with whatever {@code answer} makes of
 * it, on 127.0.0.1 port 0, one thread per session. Other requests go unanswered. For tests only.
 */
final class FakeTracker implements AutoCloseable {
    private final ServerSocket socket;
    private final Function<Lookup, Peers> answer;
    private final List<Socket> sessions = new CopyOnWriteArrayList<>();
    final AtomicInteger lookups = new AtomicInteger();

    FakeTracker(Function<Lookup, Peers> answer) throws IOException {
        this.answer = answer;
        SecureStreams.warmUp(); // before any viewer connects: its first handshake is not the slow one
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAll, "fake-tracker");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(socket.getInetAddress(), socket.getLocalPort());
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                sessions.add(s);
                Thread t = new Thread(() -> serve(s), "fake-tracker-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), RawClient.KEY);
            DataInputStream in = new DataInputStream(io.in);
            DataOutputStream out = new DataOutputStream(io.out);
            while (true) {
                byte[] frame = RawFrames.readFrame(in);
                ByteBuffer payload = ByteBuffer.wrap(frame, 1, frame.length - 1).slice();
                switch (MessageType.of(frame[0] & 0xff)) {
                    case HELLO -> RawFrames.write(out, new Welcome(1, new InetSocketAddress(s.getInetAddress(), 0)));
                    case LOOKUP -> {
                        lookups.incrementAndGet();
                        RawFrames.write(out, answer.apply(Lookup.decode(payload)));
                    }
                    case PING -> RawFrames.write(out, EmptyMessage.PONG);
                    default -> {
                        // ANNOUNCE, WITHDRAW, PONG: a liar need not answer
                    }
                }
            }
        } catch (IOException | ProtocolException e) {
            // the viewer left, or sent what a test tracker does not parse: the session ends
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : sessions) {
            s.close();
        }
    }
}
