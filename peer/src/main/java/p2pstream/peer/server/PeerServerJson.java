package p2pstream.peer.server;

import p2pstream.common.http.JsonWriter;

/** {@code /api/status}: the peer-server page's figures, files and live publication as JSON. Stateless; any thread. */
final class PeerServerJson {
    private PeerServerJson() {
    }

    static String json(PeerServerStatus s) {
        JsonWriter w = new JsonWriter().beginObject()
                .field("peerId", s.peerId())
                .field("address", s.address())
                .field("ready", s.ready());
        w.name("startup").beginObject().field("files", s.startupFiles()).field("filesHashed", s.startupFilesDone())
                .field("bytes", s.startupBytes()).field("bytesHashed", s.startupBytesDone()).endObject();
        w.field("sessions", s.sessions()).field("connections", s.connections()).field("sentBytes", s.sentBytes())
                .field("chunksServed", s.chunks());
        w.name("rejected").beginObject();
        s.rejected().forEach(w::field);
        w.endObject();
        w.field("files", s.files()).field("fileBytes", s.fileBytes()).field("filter", s.filter())
                .field("matching", s.matching());
        w.name("shown").beginArray();
        for (PeerServerStatus.FileRow r : s.shown()) {
            w.beginObject().field("name", r.name()).field("contentId", r.contentId().hex()).field("size", r.size())
                    .field("chunks", r.chunks()).field("sentBytes", r.sentBytes())
                    .field("chunksServed", r.chunksServed()).field("peers", r.peers()).endObject();
        }
        w.endArray().name("live");
        PeerServerStatus.LiveRow l = s.live();
        if (l == null) {
            w.value((String) null);
        } else {
            w.beginObject().field("name", l.name()).field("contentId", l.contentId().hex())
                    .field("chunkSize", l.chunkSize()).field("viewers", l.viewers())
                    .field("chunksPublished", l.chunksPublished()).field("sentBytes", l.sentBytes())
                    .field("chunksServed", l.chunksServed()).field("peers", l.peers()).endObject();
        }
        return w.endObject().text();
    }
}
