package p2pstream.peer.http;

import java.util.Map;
import p2pstream.common.http.HtmlPage;
import p2pstream.common.http.PageScript;

/**
 * {@code /watch/NAME}: a player page. A {@code <video id="player">} plays a file from {@code /stream/NAME} or a live
 * MPEG-TS stream from its HLS playlist; beside it the stream's figures (tiles whose value elements have the ids of
 * {@link FigureTexts}), the cache bar {@code #buffered} and a QR code of the page's link for a phone. Its one
 * script starts the player (muted if the browser refuses sound without a click), says what the player does in
 * {@code #playback} (playing, waiting for data, the player's waits, errors) and copies the stream's figures from
 * {@code /api/streams/NAME} into the page every second. Stateless; any thread.
 */
final class WatchPage {
    /**
     * The watch page's script, run once the page is parsed (it sits in the head): no markup, no eval; every text
     * goes in with textContent.
     */
    static final PageScript SCRIPT = new PageScript(String.join("\n",
            "document.addEventListener('DOMContentLoaded', function () {",
            "  var v = document.getElementById('player');",
            "  if (!v) { return; }",
            "  var waits = 0, state = 'loading';",
            "  function put(id, text) { var e = document.getElementById(id); if (e) { e.textContent = text; } }",
            "  function clock(s) {",
            "    s = Math.floor(s || 0); return Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2);",
            "  }",
            "  function show() {",
            "    var length = isFinite(v.duration) ? ' of ' + clock(v.duration) : '';",
            "    var at = clock(v.currentTime) + length;",
            "    put('playback', state + ' \\u00b7 ' + at + ' \\u00b7 player waits: ' + waits);",
            "  }",
            "  function on(event, text) {",
            "    v.addEventListener(event, function () {",
            "      if (event === 'waiting') { waits++; }",
            "      state = text; show();",
            "    });",
            "  }",
            "  on('playing', 'playing'); on('waiting', 'waiting for data'); on('pause', 'paused');",
            "  on('ended', 'ended'); on('seeking', 'seeking');",
            "  v.addEventListener('timeupdate', show);",
            "  v.addEventListener('error', function () {",
            "    state = 'cannot play: ' + (v.error ? (v.error.message || 'error ' + v.error.code) : 'error'); show();",
            "  });",
            "  v.play().catch(function () { v.muted = true; return v.play(); })",
            "    .catch(function () { if (!v.error) { state = 'press play'; show(); } });",
            "  function fill(bar, r) {",
            "    bar.textContent = '';",
            "    for (var i = 0; i + 1 < r.length; i += 2) {",
            "      var d = document.createElement('div'); d.className = 'fill'; d.style.left = 100 * r[i] + '%';",
            "      d.style.width = 100 * (r[i + 1] - r[i]) + '%'; d.style.minWidth = '2px'; bar.appendChild(d);",
            "    }",
            "  }",
            "  function refresh() {",
            "    fetch(v.dataset.api, {cache: 'no-store'}).then(function (r) { return r.json(); })",
            "    .then(function (s) {",
            "      Object.keys(s.shown).forEach(function (id) { put(id, s.shown[id]); });",
            "      var bar = document.getElementById('buffered');",
            "      if (bar && s.buffered) { fill(bar, s.buffered); }",
            "    }).catch(function () { }).then(function () { setTimeout(refresh, 1000); });",
            "  }",
            "  setTimeout(refresh, 1000);",
            "});"), "media-src 'self'; connect-src 'self'; ");

    private WatchPage() {
    }

    /**
     * The page of {@code s}, served by the gateway at {@code address} ("HOST:PORT", for the title bar), whose
     * links are {@code paths}, with {@code link} the page's address for another device.
     */
    static String html(StreamState s, StreamPaths paths, String address, WatchLink link) {
        HtmlPage page = new HtmlPage(s.name(), "p2pstream gateway  ·  " + address, SCRIPT);
        page.link("/", "← all streams");
        page.beginColumns();
        String vlc = "vlc " + link.base() + paths.stream();
        if (s.live() && Boolean.FALSE.equals(s.transportStream())) {
            page.note("playback", "This live stream is not MPEG-TS: it cannot be cut into HLS segments for the"
                    + " browser. Play it as it is in VLC or mpv: " + vlc);
        } else {
            page.video("player", s.live() ? paths.hls() : paths.stream(), "api", paths.api(), "kind",
                    s.live() ? "live" : "file");
            page.note("playback", "loading");
        }
        page.note("In VLC, mpv or ffplay: " + vlc);
        page.nextColumn();
        Map<String, String> t = FigureTexts.of(s);
        for (String id : s.live() ? FigureTexts.LIVE_TILES : FigureTexts.FILE_TILES) {
            page.tile(id, FigureTexts.label(id), t.get(id), t.get(id + "-detail"));
        }
        if (!s.live()) {
            page.ranges("buffered", "in the cache", s.runFractions(), t.get("buffered-detail"));
        }
        boolean[][] qr = link.qrModules();
        if (qr != null) { // null: a name too long for any QR code
            page.qrCode("on a phone", qr, link.url());
        }
        if (link.thisMachineOnly()) {
            page.note("loopback", "This link works on this machine only: the gateway listens on loopback. For a"
                    + " phone on the same network, start it with --http 0.0.0.0:PORT.");
        }
        page.endColumns();
        page.note("The figures refresh every second from " + paths.api() + ".");
        return page.html();
    }
}
