package p2pstream.peer.client;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.Message;

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

    static byte[] array(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
