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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import p2pstream.common.net.RawClient;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.Role;
import p2pstream.peer.store.Manifest;

/**
 * A peer that does the real handshake (HELLO, the true MANIFEST, HAVE_ALL) and then delivers nothing: it
 * keeps the connection busy with a PING every second, or trickles the first requested CHUNK a byte a second.
 * On 127.0.0.1 port 0, a thread per connection; for tests only.
 */
final class TarpitPeer implements AutoCloseable {
    enum Kind { PING_EVERY_SECOND, BYTE_A_SECOND }

    private final ServerSocket socket;
    private final Manifest manifest;
    private final Kind kind;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    /** Connections the viewer made to this tarpit, and how many of them it has closed. */
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closedByViewer = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();

    TarpitPeer(Manifest manifest, Kind kind) throws IOException {
        this.manifest = manifest;
        this.kind = kind;
        SecureStreams.warmUp(); // before any viewer connects: its first handshake is not the slow one
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAll, "tarpit");
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
                accepted.incrementAndGet();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "tarpit-connection");
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
            RawFrames.readFrame(in); // HELLO
            RawFrames.write(out, new Hello(Role.SERVER, RawClient.PEER_ID, 0, manifest.contentId()));
            RawFrames.write(out, new ManifestMessage(manifest.encoded()));
            RawFrames.write(out, EmptyMessage.HAVE_ALL);
            Thread reader = new Thread(() -> countRequests(in), "tarpit-reader");
            reader.setDaemon(true);
            reader.start();
            if (kind == Kind.BYTE_A_SECOND) {
                while (requests.get() == 0 && reader.isAlive()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                ByteBuffer head = ChunkHeader.encode(0, manifest.chunkLength(0));
                out.write(head.array(), head.arrayOffset() + head.position(), head.remaining());
                out.flush();
            }
            while (reader.isAlive()) {
                if (kind == Kind.PING_EVERY_SECOND) {
                    RawFrames.write(out, EmptyMessage.PING);
                } else {
                    out.write(0);
                    out.flush();
                }
                reader.join(1_000);
            }
        } catch (IOException e) {
            // the viewer closed on us: what a tarpit wants to see
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void countRequests(DataInputStream in) {
        try {
            while (true) {
                byte[] frame = RawFrames.readFrame(in);
                if ((frame[0] & 0xff) == MessageType.REQUEST.code()) {
                    requests.incrementAndGet();
                }
            }
        } catch (IOException e) {
            closedByViewer.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
