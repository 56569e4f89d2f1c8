#!/usr/bin/env bash
# Regenerates the pages' screenshots in docs/screenshots: tracker-dashboard.png, peer-server-page.png,
# peer-server-invites.png, gateway-streams.png and gateway-watch.png. A tracker and a peer-server with --http on loopback port 0, the
# peer-server sharing a few generated files (upload capped, so two downloads are still running when the pages are
# taken) and a real VP9 test pattern made by ffmpeg, a live publisher fed random bytes with two viewers, and a
# gateway (peer-client --http) that has fetched some of it; then headless Chromium photographs each page, the
# gateway's watch page while its player plays the test pattern. Needs dist/*.jar (make, or mvn -B -ntp package
# -DskipTests), chromium and ffmpeg (installed with apt where missing). Everything started is stopped on exit,
# Ctrl-C included.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SHOTS=$REPO_ROOT/docs/screenshots
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-screenshots.XXXXXX")
LOGS=$WORK/logs
OUT=$WORK
[ "${SCREENSHOTS_KEEP:-0}" = 1 ] || CLEANUP_DIRS+=("$WORK")
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for jar in tracker peer-server peer-client; do
    [ -f "$DIST/$jar.jar" ] || die "dist/$jar.jar missing (run make, or mvn -B -ntp package -DskipTests)"
done
ensure_tools chromium:chromium || die "chromium missing and not installable here"
ensure_tools ffmpeg:ffmpeg || die "ffmpeg missing and not installable here"
mkdir -p "$LOGS" "$SHOTS"
snapshot_dist "$WORK/dist"

# http_url NAME: the URL a started server printed in its "http listening on" line
http_url() {
    local line
    line=$(wait_for_line "$2" "$LOGS/$1.out" '^http listening on ' 60) || die "$1 printed no http address"
    echo "${line#http listening on }"
}

log "generating the shared files"
MEDIA=$WORK/media
mkdir -p "$MEDIA/films" "$MEDIA/music" "$MEDIA/talks"
head -c $(( 48 * 1024 * 1024 )) /dev/urandom >"$MEDIA/films/big-buck-bunny-1080p.mp4"
head -c $(( 24 * 1024 * 1024 )) /dev/urandom >"$MEDIA/films/sintel-720p.webm"
head -c $(( 9 * 1024 * 1024 )) /dev/urandom >"$MEDIA/music/live-at-the-hall.mp3"
head -c $(( 3 * 1024 * 1024 )) /dev/urandom >"$MEDIA/talks/keynote-2024.mkv"
head -c 200000 /dev/urandom >"$MEDIA/talks/slides.pdf"
# a real video for the gateway's player: 30 s of test pattern and a tone, VP9 and Opus in WebM
timeout --foreground 120 ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi \
    -i sine=frequency=440:sample_rate=48000 -t 30 -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 800k \
    -c:a libopus -b:a 64k -shortest "$MEDIA/films/test-pattern.webm" || die "ffmpeg could not make the test pattern"

start_tracker "$LOGS" --http 127.0.0.1:0 || die "$START_ERROR"
TRACKER_HTTP=$(http_url tracker "$TRACKER_PID")
log "tracker on $TRACKER, dashboard at $TRACKER_HTTP"

start_peer_server peer-server "$LOGS" "$MEDIA" --http 0 --upload-limit 3MB/s || die "$START_ERROR"
SERVER_HTTP=$(http_url peer-server "$SERVER_PID")
log "peer-server on $SERVER_ADDRESS, page at $SERVER_HTTP"

# a live stream of random bytes, a chunk every 250 ms, and two viewers relaying it
# the publisher is the process started (exec), fed by a loop that ends once it is gone: stop_all stops both
start_bg publisher "$LOGS" bash -c 'exec "$0" -jar "$1" 127.0.0.1 --port 0 --tracker "$2" --live "stage/cam-1" \
    --key "$3" < <(while head -c 32768 /dev/urandom; do sleep 0.25; done)' "$JAVA" "$DIST/peer-server.jar" \
    "$TRACKER" "$WORK/publisher.key"
wait_for_line "$LAST_PID" "$LOGS/publisher.out" '^peer-server listening on ' 60 >/dev/null \
    || die "the live publisher did not start"
wait_for_peers "stage/cam-1" 1 30 || die "the tracker did not list the live stream"
for v in 1 2; do
    start_bg "viewer-$v" "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "stage/cam-1" -o "$WORK/viewer-$v.ts" -q
done
# two downloads held back by the upload cap: peers being served while the pages are taken
for d in 1 2; do
    start_bg "download-$d" "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "films/big-buck-bunny-1080p.mp4" \
        -o "$WORK/download-$d.mp4" -q
done
wait_for_peers "stage/cam-1" 3 30 || die "the viewers did not join the live stream"
deadline=$(( $(now_ms) + 30000 ))
until curl -sf --max-time 5 "${SERVER_HTTP}api/status" | grep -q '"sentBytes":[1-9][0-9]\{6\}'; do
    [ "$(now_ms)" -lt "$deadline" ] || die "the peer-server sent nothing within 30 s"
    sleep 0.5
done
sleep 6 # two page refreshes' worth of lookups, so the rate on the dashboard is not 0

# shoot URL FILE [HEIGHT [CHROMIUM OPTIONS...]]: a 1280 px wide screenshot of URL
shoot() {
    local url=$1 file=$2 height=${3:-900} profile
    shift $(( $# < 3 ? $# : 3 ))
    profile=$(mktemp -d "$WORK/chromium.XXXXXX")
    timeout --foreground 60 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars "$@" \
        --user-data-dir="$profile" --screenshot="$file" --window-size="1280,$height" "$url" >"$LOGS/chromium.log" 2>&1 \
        || die "chromium failed on $url: $(tail -n 3 "$LOGS/chromium.log" | tr '\n' ' ')"
    log "wrote ${file#"$REPO_ROOT"/}"
}
shoot "$TRACKER_HTTP" "$SHOTS/tracker-dashboard.png"
shoot "$SERVER_HTTP" "$SHOTS/peer-server-page.png"

# the gateway: a cached test pattern to play, part of a large file, the live stream open
start_bg gateway "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" --http 0 --cache "$WORK/cache"
line=$(wait_for_line "$LAST_PID" "$LOGS/gateway.out" '^http gateway listening on ' 60) \
    || die "the gateway printed no http address"
GATEWAY_HTTP=${line#http gateway listening on }
log "gateway at $GATEWAY_HTTP"
curl -sf --max-time 60 -o /dev/null "${GATEWAY_HTTP}stream/films/test-pattern.webm" \
    || die "the gateway did not serve the test pattern"
curl -sf --max-time 60 -o /dev/null -r 16777216-27262975 "${GATEWAY_HTTP}stream/films/big-buck-bunny-1080p.mp4" \
    || die "the gateway did not serve a range of the large file"
curl -sf --max-time 30 -o /dev/null "${GATEWAY_HTTP}watch/stage/cam-1" || die "the gateway did not open the live stream"
# the player plays for a few seconds of the browser's virtual time before the picture is taken
shoot "${GATEWAY_HTTP}watch/films/test-pattern.webm" "$SHOTS/gateway-watch.png" 960 --virtual-time-budget=6000
shoot "$GATEWAY_HTTP" "$SHOTS/gateway-streams.png"

# a private share with two invites: its loopback page shows each link as a QR code
mkdir -p "$WORK/club/june"
head -c 300000 /dev/urandom >"$WORK/club/june/clip.mp4"
start_peer_server club "$LOGS" "$WORK/club" --http 0 --private --invite june/clip.mp4 --invite june \
    --identity "$WORK/club.key" || die "$START_ERROR"
shoot "$(http_url club "$SERVER_PID")" "$SHOTS/peer-server-invites.png" 1100
