package p2pstream.common.http;

import java.util.Locale;
import java.util.Map;

/**
 * The Content-Type of a stream or page from its name's extension: video and audio containers players and browsers
 * take (Matroska as {@code video/webm}, which Chromium then plays), HLS playlists and segments, images, and the text
 * types of web pages; {@link #DEFAULT} for the rest. Stateless; any thread.
 */
public final class MediaTypes {
    public static final String DEFAULT = "application/octet-stream";
    private static final String UTF_8 = "; charset=utf-8";
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("webm", "video/webm"),
            Map.entry("mkv", "video/webm"), // Chromium plays Matroska it is told is WebM; it refuses video/x-matroska
            Map.entry("mp4", "video/mp4"),
            Map.entry("m4v", "video/mp4"),
            Map.entry("mov", "video/quicktime"),
            Map.entry("ogv", "video/ogg"),
            Map.entry("ts", "video/mp2t"),
            Map.entry("m3u8", "application/vnd.apple.mpegurl"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("m4a", "audio/mp4"),
            Map.entry("aac", "audio/aac"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("oga", "audio/ogg"),
            Map.entry("opus", "audio/ogg"),
            Map.entry("flac", "audio/flac"),
            Map.entry("wav", "audio/wav"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("png", "image/png"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("html", "text/html" + UTF_8),
            Map.entry("htm", "text/html" + UTF_8),
            Map.entry("css", "text/css" + UTF_8),
            Map.entry("js", "text/javascript" + UTF_8),
            Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain" + UTF_8));

    private MediaTypes() {
    }

    /** The media type for {@code name} (a file name or path): by its extension, case ignored. */
    public static String of(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        if (dot <= slash + 1) {
            return DEFAULT; // no extension, or a dot file such as ".webm"
        }
        return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
