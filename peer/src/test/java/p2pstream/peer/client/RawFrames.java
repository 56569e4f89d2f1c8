package p2pstream.peer.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import p2pstream.common.access.Grant;
import p2pstream.common.access.GrantMessage;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.SecureStreams;
import p2pstream.common.noise.StaticKey;
import p2pstream.common.wire.ContentId;
import p2pstream.common.wire.ErrorCode;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Role;

/** Frames written and read by hand over blocking sockets, for test peers that misbehave or take their time. */
final class RawFrames {
    private RawFrames() {
    }

    /** Writes one whole frame; writers on other threads are kept out while it goes. */
    static void write(DataOutputStream out, Message m) throws IOException {
        ByteBuffer frame = Frames.encode(m);
        synchronized (out) {
            out.write(frame.array(), frame.arrayOffset() + frame.position(), frame.remaining());
            out.flush();
        }
    }

    static void writeChunk(DataOutputStream out, LiveChunkHeader header, byte[] bytes) throws IOException {
        ByteBuffer head = header.encode(bytes.length);
        synchronized (out) {
            out.write(head.array(), head.arrayOffset() + head.position(), head.remaining());
            out.write(bytes);
            out.flush();
        }
    }

    /** The next frame's type byte and payload. */
    static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > 1 << 20) {
            throw new IOException("frame length: " + length);
        }
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame;
    }

    /**
     * Plays a peer that lies about a public stream: accepts one connection on {@code server}, answers the viewer's
     * HELLO with its own and the MANIFEST, hands it a GRANT it signed itself naming the viewer (as an owner would),
     * then ERROR FORBIDDEN and close. "granted and refused" when all of it went out, else what broke.
     */
    static String grantThenRefuse(ServerSocket server, ContentId id, byte[] manifest) {
        return grantThenRefuse(server, id, manifest, Identity.generate());
    }

    /** The same, as {@code liar}: the grant is signed by it, and its handshake proves it. */
    static String grantThenRefuse(ServerSocket server, ContentId id, byte[] manifest, Identity liar) {
        try (Socket s = server.accept()) {
            s.setSoTimeout(20_000);
            SecureStreams io = SecureStreams.accept(s.getInputStream(), s.getOutputStream(), StaticKey.of(liar));
            DataInputStream in = new DataInputStream(io.in);
            DataOutputStream out = new DataOutputStream(io.out);
            byte[] hello = readFrame(in);
            PeerId viewer = Hello.decode(ByteBuffer.wrap(hello, 1, hello.length - 1)).peerId();
            write(out, new Hello(Role.CLIENT, liar.peerId(), 0, id));
            write(out, new ManifestMessage(manifest));
            write(out, new GrantMessage(Grant.forStream(liar, viewer, id, System.currentTimeMillis() + 3_600_000)));
            write(out, new ErrorMessage(ErrorCode.FORBIDDEN.code(), "stream " + id.shortHex() + " is private: peer "
                    + viewer.text() + " may not read it"));
            return "granted and refused";
        } catch (IOException | ProtocolException e) {
            return e.toString();
        }
    }

    static byte[] array(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
