package p2pstream.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Content types by extension, as players and browsers need them. */
class MediaTypesTest {

    @Test
    void videoAndAudioContainers() {
        assertEquals("video/webm", MediaTypes.of("clip.webm"));
        assertEquals("video/webm", MediaTypes.of("film.MKV"), "Chromium plays Matroska as WebM");
        assertEquals("video/mp4", MediaTypes.of("dir/a.mp4"));
        assertEquals("video/mp4", MediaTypes.of("a.m4v"));
        assertEquals("video/quicktime", MediaTypes.of("a.mov"));
        assertEquals("video/mp2t", MediaTypes.of("live/12.ts"));
        assertEquals("application/vnd.apple.mpegurl", MediaTypes.of("live.m3u8"));
        assertEquals("audio/mpeg", MediaTypes.of("song.mp3"));
        assertEquals("audio/mp4", MediaTypes.of("a.m4a"));
        assertEquals("audio/aac", MediaTypes.of("a.aac"));
        assertEquals("audio/ogg", MediaTypes.of("a.ogg"));
        assertEquals("audio/ogg", MediaTypes.of("a.oga"));
        assertEquals("audio/ogg", MediaTypes.of("a.opus"));
        assertEquals("audio/flac", MediaTypes.of("a.flac"));
        assertEquals("audio/wav", MediaTypes.of("a.wav"));
    }

    @Test
    void imagesAndPageTypes() {
        assertEquals("image/jpeg", MediaTypes.of("a.jpg"));
        assertEquals("image/png", MediaTypes.of("a.png"));
        assertEquals("image/gif", MediaTypes.of("a.gif"));
        assertEquals("image/svg+xml", MediaTypes.of("qr.svg"));
        assertEquals("text/html; charset=utf-8", MediaTypes.of("index.html"));
        assertEquals("text/css; charset=utf-8", MediaTypes.of("site.css"));
        assertEquals("text/javascript; charset=utf-8", MediaTypes.of("app.js"));
        assertEquals("application/json", MediaTypes.of("status.json"));
        assertEquals("text/plain; charset=utf-8", MediaTypes.of("notes.txt"));
    }

    @Test
    void anythingElseIsOctetStream() {
        for (String name : new String[] {"", "noext", "a.exe", "dir.webm/file", ".webm", "a.", "a.webm.part"}) {
            assertEquals(MediaTypes.DEFAULT, MediaTypes.of(name), name);
        }
        assertEquals("application/octet-stream", MediaTypes.DEFAULT);
    }
}
