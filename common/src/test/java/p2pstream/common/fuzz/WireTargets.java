package p2pstream.common.fuzz;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import p2pstream.common.access.AccountAnswer;
import p2pstream.common.access.AccountRequest;
import p2pstream.common.access.Devices;
import p2pstream.common.access.Grant;
import p2pstream.common.access.InviteLink;
import p2pstream.common.access.Offer;
import p2pstream.common.access.PasswordHash;
import p2pstream.common.access.PrivateAnnounce;
import p2pstream.common.access.Redeem;
import p2pstream.common.identity.Identity;
import p2pstream.common.net.FrameDecoder;
import p2pstream.common.net.WireBytes;
import p2pstream.common.wire.Announce;
import p2pstream.common.wire.Beacon;
import p2pstream.common.wire.Bitfield;
import p2pstream.common.wire.ChunkHeader;
import p2pstream.common.wire.CircuitOrder;
import p2pstream.common.wire.ConnectPeer;
import p2pstream.common.wire.Dial;
import p2pstream.common.wire.EmptyMessage;
import p2pstream.common.wire.ErrorMessage;
import p2pstream.common.wire.Frames;
import p2pstream.common.wire.Hello;
import p2pstream.common.wire.IndexMessage;
import p2pstream.common.wire.Join;
import p2pstream.common.wire.Mapped;
import p2pstream.common.wire.ListStreams;
import p2pstream.common.wire.LiveChunkHeader;
import p2pstream.common.wire.LiveEnd;
import p2pstream.common.wire.Lookup;
import p2pstream.common.wire.ManifestMessage;
import p2pstream.common.wire.Message;
import p2pstream.common.wire.MessageType;
import p2pstream.common.wire.PeerId;
import p2pstream.common.wire.Peers;
import p2pstream.common.wire.ProtocolException;
import p2pstream.common.wire.Reach;
import p2pstream.common.wire.Reject;
import p2pstream.common.wire.RelayOffer;
import p2pstream.common.wire.Streams;
import p2pstream.common.wire.Welcome;
import p2pstream.common.wire.Wire;
import p2pstream.common.wire.Withdraw;

/**
 * Every decoder of the common module as a {@link FuzzTarget}: each message's payload codec, the CHUNK header, the
 * first frame of a connection ({@code Hello.decodeFirst}) and the frame splitter ({@link FrameDecoder}). A new codec
 * is one more entry in {@link #all()}. Stateless; any thread.
 */
public final class WireTargets {
    /** Payload bytes a control frame can carry (its length counts the type byte). */
    public static final int CONTROL_PAYLOAD_BYTES = Wire.MAX_CONTROL_FRAME_BYTES - 1;
    /** Payload bytes a frame from a peer can carry: a CHUNK of the largest chunk, or the largest MANIFEST. */
    public static final int PEER_PAYLOAD_BYTES = Wire.MAX_PEER_FRAME_BYTES - 1;
    /** The identities grants are signed by: made once, as signing is not what is fuzzed. */
    private static final Identity[] OWNERS = {Identity.generate(), Identity.generate()};
    /** What checking a grant's signature allocates whatever the input (Ed25519 in plain Java). */
    static final long SIGNATURE_FIXED_BYTES = 256 * 1024;
    /**
     * Grants in a fuzzed PRIVATE_ANNOUNCE: each checked signature allocates its own fixed amount, and mutations cannot
     * add a grant that verifies, so the bound is this many signatures' worth.
     */
    static final int MAX_FUZZED_GRANTS = 3;

    private WireTargets() {
    }

    public static List<FuzzTarget<?>> all() {
        return List.of(
                message("HELLO", CONTROL_PAYLOAD_BYTES, ValidMessages::hello, (base, in) -> Hello.decode(in)),
                message("WELCOME", CONTROL_PAYLOAD_BYTES, ValidMessages::welcome, (base, in) -> Welcome.decode(in)),
                message("ERROR", CONTROL_PAYLOAD_BYTES, ValidMessages::error, (base, in) -> ErrorMessage.decode(in)),
                message("PING/PONG/HAVE_ALL", CONTROL_PAYLOAD_BYTES, ValidMessages::empty,
                        (base, in) -> EmptyMessage.decode(base.type(), in)),
                message("HAVE/REQUEST/CANCEL", CONTROL_PAYLOAD_BYTES, ValidMessages::index,
                        (base, in) -> IndexMessage.decode(base.type(), in)),
                message("REJECT", CONTROL_PAYLOAD_BYTES, ValidMessages::reject, (base, in) -> Reject.decode(in)),
                message("MANIFEST", PEER_PAYLOAD_BYTES, ValidMessages::manifestMessage,
                        (base, in) -> ManifestMessage.decode(in)),
                message("BITFIELD", PEER_PAYLOAD_BYTES, ValidMessages::bitfield,
                        (base, in) -> Bitfield.decode(in, base.chunkCount())),
                message("ANNOUNCE", CONTROL_PAYLOAD_BYTES, ValidMessages::announce, (base, in) -> Announce.decode(in)),
                message("WITHDRAW", CONTROL_PAYLOAD_BYTES, ValidMessages::withdraw, (base, in) -> Withdraw.decode(in)),
                message("LIST", CONTROL_PAYLOAD_BYTES, ValidMessages::list, (base, in) -> ListStreams.decode(in)),
                message("STREAMS", CONTROL_PAYLOAD_BYTES, ValidMessages::streams, (base, in) -> Streams.decode(in)),
                message("LOOKUP", CONTROL_PAYLOAD_BYTES, ValidMessages::lookup, (base, in) -> Lookup.decode(in)),
                message("PEERS", CONTROL_PAYLOAD_BYTES, ValidMessages::peers, (base, in) -> Peers.decode(in)),
                message("REACH", CONTROL_PAYLOAD_BYTES, ValidMessages::reach, (base, in) -> Reach.decode(in)),
                message("CONNECT", CONTROL_PAYLOAD_BYTES, ValidMessages::connect, (base, in) -> ConnectPeer.decode(in)),
                message("DIAL", CONTROL_PAYLOAD_BYTES, ValidMessages::dial, (base, in) -> Dial.decode(in)),
                message("RELAY", CONTROL_PAYLOAD_BYTES, ValidMessages::relayOffer, (base, in) -> RelayOffer.decode(in)),
                message("CIRCUIT", CONTROL_PAYLOAD_BYTES, ValidMessages::circuit,
                        (base, in) -> CircuitOrder.decode(in)),
                message("JOIN", CONTROL_PAYLOAD_BYTES, ValidMessages::join, (base, in) -> Join.decode(in)),
                message("MAPPED", CONTROL_PAYLOAD_BYTES, ValidMessages::mapped, (base, in) -> Mapped.decode(in)),
                message("LIVE_END", CONTROL_PAYLOAD_BYTES, ValidMessages::liveEnd, (base, in) -> LiveEnd.decode(in)),
                chunk(),
                liveChunk(),
                firstFrame(),
                frames(),
                grant(),
                privateAnnounce(),
                offer(),
                message("REDEEM", CONTROL_PAYLOAD_BYTES, WireTargets::redeem, (base, in) -> Redeem.decode(in)),
                inviteLink(),
                message("ACCOUNT (asked)", CONTROL_PAYLOAD_BYTES, WireTargets::accountRequest,
                        (base, in) -> AccountRequest.decode(in)),
                message("ACCOUNT (answer)", CONTROL_PAYLOAD_BYTES,
                        WireTargets::accountAnswer,
                        (base, in) -> AccountAnswer.decode(in)),
                message("DEVICES (asked)", CONTROL_PAYLOAD_BYTES, draw -> new Devices.Ask(accountName(draw)),
                        (base, in) -> Devices.Ask.decode(in)),
                message("DEVICES (answer)", CONTROL_PAYLOAD_BYTES, WireTargets::devices,
                        (base, in) -> Devices.decode(in)),
                beaconQuery(),
                beaconAnswer());
    }

    /** A PRIVATE_ANNOUNCE: an ANNOUNCE's fields, then grants of one owner for that stream, each signature checked. */
    static FuzzTarget<PrivateAnnounce> privateAnnounce() {
        return message("PRIVATE_ANNOUNCE", CONTROL_PAYLOAD_BYTES,
                draw -> {
                    Announce a = ValidMessages.announce(draw);
                    Identity owner = OWNERS[draw.between(0, OWNERS.length - 1)];
                    long expires = draw.bool() ? Long.MAX_VALUE : draw.between(0, Integer.MAX_VALUE) * 1000L;
                    List<Grant> grants = new ArrayList<>();
                    for (int i = draw.between(1, MAX_FUZZED_GRANTS); i > 0; i--) {
                        grants.add(draw.bool() ? Grant.forStream(owner, ValidMessages.peerId(draw), a.contentId(),
                                expires) : Grant.forPrefix(owner, ValidMessages.peerId(draw), draw.bool() ? ""
                                : a.name(), expires));
                    }
                    return new PrivateAnnounce(a, grants);
                },
                (base, in) -> PrivateAnnounce.decode(in)).withFixedBytes(MAX_FUZZED_GRANTS * SIGNATURE_FIXED_BYTES);
    }

    /** An OFFER of any kind: a subscription, an offer with its grant (signature checked), the tracker's answer. */
    static FuzzTarget<Message> offer() {
        return WireTargets.<Message>message("OFFER", CONTROL_PAYLOAD_BYTES,
                draw -> {
                    int kind = draw.between(1, 3);
                    if (kind == 1) {
                        return new Offer.Subscribe();
                    }
                    if (kind == 2) {
                        Identity owner = OWNERS[draw.between(0, OWNERS.length - 1)];
                        long expires = draw.bool() ? Long.MAX_VALUE : draw.between(0, Integer.MAX_VALUE) * 1000L;
                        return new Offer(ValidMessages.name(draw, 200), draw.between(0, Integer.MAX_VALUE),
                                Grant.forStream(owner, ValidMessages.peerId(draw), ValidMessages.contentId(draw),
                                        expires));
                    }
                    return new Offer.Answer(Offer.Answer.Kind.values()[draw.below(3)], ValidMessages.contentId(draw),
                            ValidMessages.peerId(draw), draw.bool() ? "" : ValidMessages.name(draw, 200));
                },
                (base, in) -> Offer.decode(in)).withFixedBytes(SIGNATURE_FIXED_BYTES);
    }

    /** A REDEEM: an invite's random secret, or a password of UTF-8 text. */
    static Redeem redeem(Draw draw) {
        return draw.bool() ? new Redeem(Redeem.Kind.INVITE, draw.bytes(draw.between(16, 64)))
                : new Redeem(Redeem.Kind.PASSWORD, ValidMessages.name(draw, 200).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An invite link as {@code peer-client} reads it from its command line: its UTF-8 text, of which only the one
     * spelling {@link InviteLink#text} writes is taken (IllegalArgumentException, the parser's refusal, counts as the
     * decoder's ProtocolException here).
     */
    static FuzzTarget<InviteLink> inviteLink() {
        return FuzzTarget.of("invite link", InviteLink.MAX_CHARS * 4,
                draw -> {
                    boolean file = draw.bool();
                    return new InviteLink(draw.bool() ? "tracker.example:2045" : "[2001:db8::1]:"
                            + draw.between(1, 65_535), ValidMessages.peerId(draw), draw.bool() ? "203.0.113.5:2050"
                            : "peer-7.example:" + draw.between(1, 65_535), file, file || draw.bool()
                            ? ValidMessages.name(draw, 100) : "", draw.bytes(5 * draw.between(4, 12)),
                            draw.bool() ? ValidMessages.peerId(draw) : null);
                },
                link -> link.text().getBytes(StandardCharsets.UTF_8),
                (base, in) -> {
                    byte[] bytes = new byte[in.remaining()];
                    in.get(bytes);
                    try {
                        return InviteLink.parse(new String(bytes, StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw ProtocolException.malformed(e.getMessage());
                    }
                })
                // a link comes from the command line, at most MAX_CHARS: a regex match, two ids checked and the
                // link spelled again to compare are fixed work (Jazzer found 74 KiB for a valid 200-byte link)
                .withFixedBytes(96 * 1024);
    }

    /** A valid account name: 1 to 32 of a-z 0-9 _ . - */
    static String accountName(Draw draw) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_.-";
        StringBuilder sb = new StringBuilder();
        for (int i = draw.between(1, 32); i > 0; i--) {
            sb.append(alphabet.charAt(draw.below(alphabet.length())));
        }
        return sb.toString();
    }

    static AccountRequest accountRequest(Draw draw) {
        String password = ValidMessages.text(draw, AccountRequest.MAX_PASSWORD_BYTES, false);
        if (password.length() > PasswordHash.MAX_PASSWORD_CHARS) {
            password = password.codePoints().limit(PasswordHash.MAX_PASSWORD_CHARS / 2)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        }
        AccountRequest.Op op = AccountRequest.Op.values()[draw.below(AccountRequest.Op.values().length)];
        return new AccountRequest(op, accountName(draw), password.toCharArray(),
                op == AccountRequest.Op.REMOVE_DEVICE ? ValidMessages.peerId(draw) : null);
    }

    static AccountAnswer accountAnswer(Draw draw) {
        AccountRequest.Op op = AccountRequest.Op.values()[draw.below(AccountRequest.Op.values().length)];
        return new AccountAnswer(op, draw.between(op == AccountRequest.Op.REMOVE_DEVICE ? 0 : 1,
                AccountAnswer.MAX_DEVICES));
    }

    static Devices devices(Draw draw) {
        Devices.Found found = Devices.Found.values()[draw.below(Devices.Found.values().length)];
        List<PeerId> ids = new ArrayList<>();
        for (int i = found == Devices.Found.FOUND ? draw.between(0, AccountAnswer.MAX_DEVICES) : 0; i > 0; i--) {
            ids.add(ValidMessages.peerId(draw));
        }
        return new Devices(accountName(draw), found, ids);
    }

    /** A LAN beacon query: one whole datagram. */
    static FuzzTarget<Beacon.Query> beaconQuery() {
        return FuzzTarget.of("beacon query", Beacon.QUERY_BYTES * 2, draw -> new Beacon.Query(draw.anyLong()),
                q -> bytes(q.encode()), (base, in) -> Beacon.decodeQuery(in));
    }

    /** A LAN beacon answer: one whole datagram, its address a unicast one or none (the sender's). */
    static FuzzTarget<Beacon.Answer> beaconAnswer() {
        return FuzzTarget.of("beacon answer", Beacon.QUERY_BYTES * 2,
                draw -> {
                    InetAddress address = null;
                    if (draw.bool()) {
                        address = ValidMessages.address(draw).getAddress();
                        if (address.isAnyLocalAddress() || address.isMulticastAddress()) {
                            address = null;
                        }
                    }
                    return new Beacon.Answer(draw.anyLong(), ValidMessages.peerId(draw), address,
                            draw.between(1, 65_535));
                },
                a -> bytes(a.encode()), (base, in) -> Beacon.decodeAnswer(in));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** A grant: its fields, then the owner's signature, checked as it is read. */
    static FuzzTarget<Grant> grant() {
        return FuzzTarget.of("grant", Grant.MAX_BYTES + 16,
                draw -> {
                    Identity owner = OWNERS[draw.between(0, OWNERS.length - 1)];
                    long expires = draw.bool() ? Long.MAX_VALUE : draw.between(0, Integer.MAX_VALUE) * 1000L;
                    return draw.bool()
                            ? Grant.forStream(owner, ValidMessages.peerId(draw), ValidMessages.contentId(draw), expires)
                            : Grant.forPrefix(owner, ValidMessages.peerId(draw), draw.bool() ? ""
                                    : ValidMessages.name(draw, 200), expires);
                },
                Grant::bytes,
                (base, in) -> {
                    Grant g = Grant.decode(in);
                    if (in.hasRemaining()) { // alone here; inside a message, the message's codec checks its end
                        throw ProtocolException.malformed("grant: " + in.remaining() + " bytes after it");
                    }
                    return g;
                }).withFixedBytes(SIGNATURE_FIXED_BYTES);
    }

    /** A message's payload codec: {@link Message#encodePayload} against its {@code decode}. */
    public static <M extends Message> FuzzTarget<M> message(String name, int maxPayloadBytes,
                                                            FuzzTarget.Generator<M> valid,
                                                            FuzzTarget.Decoder<M> decode) {
        return FuzzTarget.of(name, maxPayloadBytes, valid, WireBytes::payload, decode);
    }

    /** A CHUNK payload: the index the header codec reads, then the chunk's bytes, which are not its business. */
    record ChunkPayload(int index, byte[] bytes) {
        @Override
        public String toString() {
            return "CHUNK " + index + " (" + bytes.length + " bytes)";
        }
    }

    static FuzzTarget<ChunkPayload> chunk() {
        return FuzzTarget.of("CHUNK header", PEER_PAYLOAD_BYTES,
                draw -> new ChunkPayload(ValidMessages.u31(draw), draw.bytes(draw.between(0, 64))),
                c -> {
                    ByteBuffer header = ChunkHeader.encode(c.index(), c.bytes().length);
                    header.position(Frames.HEADER_BYTES);
                    return ByteBuffer.allocate(4 + c.bytes().length).put(header).put(c.bytes()).array();
                },
                (base, in) -> {
                    int index = ChunkHeader.decodeIndex(in);
                    byte[] bytes = new byte[in.remaining()];
                    in.get(bytes);
                    return new ChunkPayload(index, bytes);
                });
    }

    /** A LIVE_CHUNK payload: the signed head the codec reads, then at least one byte of the chunk. */
    record LiveChunkPayload(LiveChunkHeader header, byte[] bytes) {
        @Override
        public String toString() {
            return "LIVE_CHUNK " + header.index() + " at " + header.publishMicros() + " (" + bytes.length + " bytes)";
        }
    }

    static FuzzTarget<LiveChunkPayload> liveChunk() {
        return FuzzTarget.of("LIVE_CHUNK header", PEER_PAYLOAD_BYTES,
                draw -> new LiveChunkPayload(new LiveChunkHeader(ValidMessages.u31(draw), draw.anyLong(),
                        draw.bytes(LiveChunkHeader.SIGNATURE_BYTES)), draw.bytes(draw.between(1, 64))),
                c -> {
                    ByteBuffer header = c.header().encode(c.bytes().length);
                    header.position(Frames.HEADER_BYTES);
                    return ByteBuffer.allocate(header.remaining() + c.bytes().length)
                            .put(header).put(c.bytes()).array();
                },
                (base, in) -> {
                    LiveChunkHeader header = LiveChunkHeader.decode(in);
                    byte[] bytes = new byte[in.remaining()];
                    in.get(bytes);
                    return new LiveChunkPayload(header, bytes);
                });
    }

    /**
     * The first frame of a connection, length prefix and type byte included, through a {@link FrameDecoder} and
     * {@link Hello#decodeFirst}. A frame that is not whole, or bytes after it, are refused here as the test's own
     * verdict: a connection would wait for the rest or read them as the next frame.
     */
    static FuzzTarget<Hello> firstFrame() {
        return FuzzTarget.of("first frame", Wire.LENGTH_FIELD_BYTES + Wire.MAX_CONTROL_FRAME_BYTES + 8,
                ValidMessages::hello, WireBytes::encoded,
                (base, in) -> {
                    FrameDecoder decoder = new FrameDecoder(Wire.MAX_CONTROL_FRAME_BYTES);
                    ByteBuffer payload = decoder.next(in);
                    if (payload == null || in.hasRemaining()) {
                        throw ProtocolException.malformed("test: not exactly one whole frame");
                    }
                    return Hello.decodeFirst(MessageType.of(decoder.type()), payload);
                });
    }

    /**
     * What {@link FrameDecoder} splits a byte stream into: whole frames (type and payload) and the incomplete rest,
     * for a frame limit that may be tiny so lengths around it come up.
     */
    record FrameRun(int maxFrameBytes, List<byte[]> frames, byte[] rest) {
        byte[] encode() {
            int total = rest.length;
            for (byte[] f : frames) {
                total += Wire.LENGTH_FIELD_BYTES + f.length;
            }
            ByteBuffer out = ByteBuffer.allocate(total);
            for (byte[] f : frames) {
                out.putInt(f.length).put(f);
            }
            return out.put(rest).array();
        }

        @Override
        public String toString() {
            return "FrameRun[max " + maxFrameBytes + ", " + frames.size() + " frames, " + rest.length + " bytes left]";
        }
    }

    static FuzzTarget<FrameRun> frames() {
        return FuzzTarget.of("FrameDecoder", 256 * 1024,
                draw -> {
                    int max = draw.oneIn(3) ? draw.between(1, 300)
                            : draw.pick(Wire.MAX_CONTROL_FRAME_BYTES, Wire.MAX_PEER_FRAME_BYTES);
                    List<byte[]> frames = new ArrayList<>();
                    for (int i = draw.between(0, 5); i > 0; i--) {
                        frames.add(draw.bytes(draw.between(1, Math.min(max, draw.oneIn(8) ? 20_000 : 40))));
                    }
                    return new FrameRun(max, frames, new byte[0]);
                },
                FrameRun::encode,
                (base, in) -> {
                    FrameDecoder decoder = new FrameDecoder(base.maxFrameBytes());
                    List<byte[]> frames = new ArrayList<>();
                    ByteBuffer payload;
                    while ((payload = decoder.next(in)) != null) {
                        byte[] frame = new byte[1 + payload.remaining()];
                        frame[0] = (byte) decoder.type();
                        payload.get(frame, 1, payload.remaining());
                        frames.add(frame);
                    }
                    int need = decoder.frameBytes(in);
                    if (need >= 0 && need <= in.remaining()) {
                        throw new AssertionError("FrameDecoder: a whole frame of " + need + " bytes left undecoded");
                    }
                    byte[] rest = new byte[in.remaining()];
                    in.get(rest);
                    return new FrameRun(base.maxFrameBytes(), frames, rest);
                });
    }
}
