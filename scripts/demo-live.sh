#!/usr/bin/env bash
# The live tour (`make demo-live`): ffmpeg encodes a test pattern with a tone to MPEG-TS in real time into a
# peer-server publishing it live (its upload capped at about twice the stream's bitrate); three viewers join a
# few seconds apart, relay it to each other, and write what they watch to demo/live/. The script prints each
# viewer's latency, skips and where its chunks came from, checks that its chunk counts add up with what the
# publisher published, and checks each output with ffprobe and a full decode. Installs ffmpeg with apt-get where
# missing (root on Debian). Exit status 0 on PASS, 1 on FAIL.
#
# Knobs (environment): DEMO_LIVE_SECONDS (20), DEMO_LIVE_VIEWERS (3), DEMO_LIVE_JOIN_SECONDS (3).
set -euo pipefail
export LC_ALL=C

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECONDS_LONG=${DEMO_LIVE_SECONDS:-20}
VIEWERS=${DEMO_LIVE_VIEWERS:-3}
JOIN=${DEMO_LIVE_JOIN_SECONDS:-3}
NAME=demo/live
DEMO=$REPO_ROOT/demo/live
LOGS=$DEMO/logs
OUT=$DEMO

PASS_MESSAGE="$VIEWERS viewers watched the live test pattern; every output decodes cleanly"
demo_traps

for jar in tracker peer-server peer-client; do
    [ -f "$DIST/$jar.jar" ] || fail "dist/$jar.jar missing (run make build)"
done
rm -rf "$DEMO"
mkdir -p "$LOGS"
ensure_tools ffmpeg:ffmpeg ffprobe:ffmpeg || fail "ffmpeg is needed for the live demo"
snapshot_dist "$DEMO/dist"

log "starting the tracker"
start_tracker "$LOGS" || fail "$START_ERROR"
log "  tracker listening on $TRACKER"
log "publishing $NAME: a ${SECONDS_LONG} s test pattern, MPEG-2 at 1 Mbit/s + MP2 audio, upload capped at 300 kB/s"
echo "+ ffmpeg -re -f lavfi -i testsrc ... -f mpegts FIFO & java -jar dist/peer-server.jar 127.0.0.1 --live $NAME --input FIFO --upload-limit 300kB/s" >&2
start_live "$NAME" "$LOGS" "$SECONDS_LONG" 1M --upload-limit 300kB/s || fail "$START_ERROR"
log "  publisher listening on $PUBLISHER_ADDRESS"
wait_for_peers "$NAME" 1 30 || fail "the tracker did not list $NAME within 30 s"

pids=()
for (( n = 1; n <= VIEWERS; n++ )); do
    sleep "$JOIN" # viewers arrive one after another, the way an audience does
    log "viewer $n joins"
    echo "+ java -jar dist/peer-client.jar $TRACKER $NAME -o demo/live/viewer-$n.ts --stats-json demo/live/viewer-$n.json" >&2
    start_bg "viewer-$n" "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "$NAME" -o "$OUT/viewer-$n.ts" \
        --stats-json "$OUT/viewer-$n.json"
    pids+=("$LAST_PID")
done
log "watching until the publisher ends the stream"
for (( n = 1; n <= VIEWERS; n++ )); do
    rc=0
    wait "${pids[$((n - 1))]}" || rc=$?
    [ "$rc" = 0 ] || fail "viewer $n exited with status $rc: $(tail -n 2 "$LOGS/viewer-$n.err" | tr '\n' ' ')"
done

echo
echo "$LIVE_HEADER"
for (( n = 1; n <= VIEWERS; n++ )); do
    live_row "viewer $n (joined at $(( n * JOIN )) s)" "$OUT/viewer-$n.json"
done
echo
# the counts, and why they add up: each viewer writes from where it joined to the end, and receives a few chunks
# more than it writes (looking back from the live edge for where to start fetches some older than the start)
published=$(sed -n 's/^live .* ended: \([0-9]*\) chunks.*/\1/p' "$LOGS/publisher.out")
echo "the publisher published $published chunks"
for (( n = 1; n <= VIEWERS; n++ )); do
    j=$OUT/viewer-$n.json
    first=$(json_field firstChunk "$j") written=$(json_field chunks "$j") skipped=$(json_field skipped "$j")
    received=$(( $(json_field chunksFromPublisher "$j") + $(json_field chunksFromViewers "$j") ))
    before=$(json_field chunksBeforeFirst "$j") late=$(json_field skippedReceived "$j")
    echo "viewer $n: joined at chunk $first, wrote $written, skipped $skipped ($first + $written + $skipped = $published);" \
        "received $received = $written written + $before older than its first, fetched while joining + $late skipped yet received"
    [ $(( first + written + skipped )) = "$published" ] || fail "viewer $n: $first + $written + $skipped chunks (expected: $published published)"
    [ $(( written + before + late )) = "$received" ] || fail "viewer $n: received $received chunks (expected: $(( written + before + late )))"
done
echo
for (( n = 1; n <= VIEWERS; n++ )); do
    f=$OUT/viewer-$n.ts
    duration=$(ffprobe -v error -show_entries format=duration -of default=noprint_wrappers=1:nokey=1 "$f")
    errors=$(ffmpeg -v error -i "$f" -f null - 2>&1 | head -n 3)
    [ -z "$errors" ] || fail "viewer $n's output does not decode cleanly: $errors"
    [ "$(json_field skipped "$OUT/viewer-$n.json")" = 0 ] || log "viewer $n skipped chunks (see its stats)"
    echo "viewer $n: ${f#"$REPO_ROOT"/} plays ${duration} s, decodes without errors (ffplay ${f#"$REPO_ROOT"/} to watch)"
done
grep -h '^live .* ended' "$LOGS/publisher.out" || true
RESULT=PASS
