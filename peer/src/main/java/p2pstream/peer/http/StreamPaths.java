package p2pstream.peer.http;

import p2pstream.common.wire.ContentId;

/**
 * The gateway's paths of one stream: its bytes ({@code /stream/}), its HLS playlist, its figures as JSON and its
 * watch page, each by the stream's name with every segment percent-encoded, or by its content id when the name
 * holds a character no request path may carry (a control character). Immutable; any thread.
 */
record StreamPaths(String stream, String hls, String api, String watch) {

    static StreamPaths of(String name, ContentId id) {
        boolean plain = name.codePoints().noneMatch(Character::isISOControl);
        StringBuilder key = new StringBuilder();
        if (plain) {
            for (String segment : name.split("/", -1)) {
                key.append(key.length() == 0 ? "" : "/").append(PathSegment.encode(segment));
            }
        } else {
            key.append(id.hex());
        }
        return new StreamPaths(StreamRoute.PREFIX + key, HlsRoute.PREFIX + key + ".m3u8", StreamApi.PREFIX + key,
                WatchRoute.PREFIX + key);
    }
}
