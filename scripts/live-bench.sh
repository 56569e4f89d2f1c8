#!/usr/bin/env bash
# Live latency through relay hops, on loopback, with the built jars as separate processes:
#   ffmpeg encodes a test pattern (MPEG-2 + MP2 in MPEG-TS, about 2 Mbit/s) in real time into a publisher
#   (peer-server --live); viewer 1 fetches only from the publisher (--peer), viewer 2 only from viewer 1,
#   viewer 3 only from viewer 2: 1, 2 and 3 hops. Each reports the latency of every chunk from its publish time
#   to the moment it is written out (p50, p99, max), and the chunks it had to skip.
# Prints a table and appends it to bench-out/results.md under "## Live latency (issue 4)".
#
# Run by scripts/bench.sh (`make bench`; BENCH_LIVE=0 skips it), or alone after `make build`. Installs ffmpeg
# with apt-get where missing (root on Debian). Stops everything it started on exit.
#
# Knobs (environment): BENCH_LIVE_SECONDS (30), BENCH_LIVE_HOPS (3), BENCH_LIVE_BITRATE (2M, ffmpeg's video
# -b:v), BENCH_PLAINTEXT (0; 1 gives the tracker, the publisher and every viewer --plaintext, titles the section
# "## Live latency (issue 4), plaintext", logs in bench-out/live-logs-plaintext: scripts/bench.sh runs it so to set
# beside the encrypted default), BENCH_KEEP (0; 1 keeps the temp dir), BENCH_OUT (bench-out).
#
# Exit status 1 when a viewer failed or an output does not decode.
set -euo pipefail
export LC_ALL=C

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION=${BENCH_LIVE_SECONDS:-30}
HOPS=${BENCH_LIVE_HOPS:-3}
BITRATE=${BENCH_LIVE_BITRATE:-2M}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
NAME=bench/live
RESULTS=$OUT/results.md
TITLE="## Live latency (issue 4)"
LOGS=$OUT/live-logs
TRANSPORT="encrypted (the default)"
PLAIN=()
if [ "${BENCH_PLAINTEXT:-0}" = 1 ]; then
    TITLE="$TITLE, plaintext"
    LOGS=$OUT/live-logs-plaintext
    TRANSPORT="plaintext (tracker, publisher and viewers given --plaintext)"
    PLAIN=(--plaintext)
fi

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-live.XXXXXX")
rm -rf "$LOGS"
mkdir -p "$LOGS"
[ -f "$DIST/peer-server.jar" ] || die "dist/peer-server.jar missing (run make build)"
snapshot_dist "$WORK/dist"
clean_up_work_on_exit
ensure_tools ffmpeg:ffmpeg ffprobe:ffmpeg || die "ffmpeg is needed for the live benchmark"

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
start_tracker "$LOGS" "${PLAIN[@]}" || die "$START_ERROR"
start_live "$NAME" "$LOGS" "$DURATION" "$BITRATE" "${PLAIN[@]}" || die "$START_ERROR"
log "publisher on $PUBLISHER_ADDRESS: ${DURATION} s of test pattern at $BITRATE"
wait_for_peers "$NAME" 1 30 || die "the tracker did not list $NAME"
sleep 2 # a couple of seconds of stream before the first viewer, as in a real audience

upstream=$PUBLISHER_ADDRESS
pids=()
for (( n = 1; n <= HOPS; n++ )); do
    port=$(free_port) || die "no free port"
    start_bg "hop-$n" "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "$NAME" --peer "$upstream" --port "$port" \
        -o "$WORK/hop-$n.ts" --stats-json "$LOGS/hop-$n.json" "${PLAIN[@]}"
    pids+=("$LAST_PID")
    log "viewer $n: fetches only from $upstream, serves on 127.0.0.1:$port"
    upstream=127.0.0.1:$port
    sleep 1 # its upstream must be serving before it asks
done
failed=0
for (( n = 1; n <= HOPS; n++ )); do
    rc=0
    wait "${pids[$((n - 1))]}" || rc=$?
    if [ "$rc" != 0 ]; then
        log "viewer $n exited with status $rc: $(tail -n 2 "$LOGS/hop-$n.err" | tr '\n' ' ')"
        failed=1
    elif [ -n "$(ffmpeg -v error -i "$WORK/hop-$n.ts" -f null - 2>&1 | head -n 1)" ]; then
        log "viewer $n's output does not decode cleanly"
        failed=1
    fi
done

SECTION=$WORK/live.md
{
    echo "$TITLE"
    echo
    echo "ffmpeg test pattern (MPEG-2 video at $BITRATE + MP2 audio, MPEG-TS) published live for $DURATION s; chunks cut at"
    echo "64 KiB or every 250 ms; viewer n fetches only from viewer n-1 (viewer 1 from the publisher): n relay hops."
    echo "Latency: publish time to the moment the chunk is written out, for chunks published after the viewer joined."
    echo "Separate JVMs on one 2-core machine, loopback; p2pstream $TRANSPORT."
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $LOAD_AT_START, after: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "| hops $(echo "$LIVE_HEADER" | head -n 1)"
    echo "|---:$(echo "$LIVE_HEADER" | tail -n 1)"
    for (( n = 1; n <= HOPS; n++ )); do
        if [ -f "$LOGS/hop-$n.json" ]; then
            echo "| $n $(live_row "viewer $n" "$LOGS/hop-$n.json")"
        else
            echo "| $n | viewer $n: no figures (failed) | | | | | | | |"
        fi
    done
    echo
    echo "Target: p99 under 1 s through 3 hops. $(ffmpeg -version 2>/dev/null | head -n 1 | cut -d' ' -f1-3)."
} >"$SECTION"
put_section "$RESULTS" "$SECTION"
[ "$failed" = 0 ] || die "a live viewer failed (see ${LOGS#"$REPO_ROOT"/})"
