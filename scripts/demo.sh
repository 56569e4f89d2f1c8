#!/usr/bin/env bash
# The five-minute tour (`make demo`): a tracker and three peer-servers on loopback share a 64 MiB sample; a
# peer-client streams it from all three, verifies every chunk, and the script checks the SHA-256 of what came
# out against the sample. Everything lives under demo/ (gitignored); everything started is stopped on exit,
# Ctrl-C included. Exit status 0 on PASS, 1 on FAIL.
#
# Knobs (environment): DEMO_SIZE_MIB (64), DEMO_SERVERS (3).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${DEMO_SIZE_MIB:-64}
SERVERS=${DEMO_SERVERS:-3}
NAME=sample.bin
DEMO=$REPO_ROOT/demo
WORK=$DEMO/work
OUT=$DEMO/out
LOGS=$DEMO/logs

PASS_MESSAGE="$NAME streamed from $SERVERS peer-servers, SHA-256 matches"
demo_traps

for jar in tracker peer-server peer-client; do
    [ -f "$DIST/$jar.jar" ] || fail "dist/$jar.jar missing (run make build)"
done

rm -rf "$WORK" "$OUT" "$LOGS"
mkdir -p "$WORK" "$OUT" "$LOGS"
snapshot_dist "$WORK/dist"

log "generating a $SIZE_MIB MiB sample"
head -c $(( SIZE_MIB * 1024 * 1024 )) /dev/urandom >"$WORK/$NAME"
SOURCE_SHA=$(sha256_of "$WORK/$NAME")

log "starting the tracker"
start_tracker "$LOGS" || fail "$START_ERROR"
log "  tracker listening on $TRACKER"

for (( n = 1; n <= SERVERS; n++ )); do
    # each peer-server shares its own directory holding the same bytes (a hard link)
    dir=$WORK/peer$n
    mkdir -p "$dir"
    ln "$WORK/$NAME" "$dir/$NAME" 2>/dev/null || cp "$WORK/$NAME" "$dir/$NAME"
    start_peer_server "peer-server-$n" "$LOGS" "$dir" || fail "$START_ERROR"
    log "  peer-server $n listening on $SERVER_ADDRESS, sharing ${dir#"$REPO_ROOT"/}"
done

log "waiting for the tracker to list $NAME with $SERVERS peers"
wait_for_peers "$NAME" "$SERVERS" 60 || fail "the tracker did not list $NAME with $SERVERS peers within 60 s"
timeout --foreground 30 "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" --list || true

log "streaming $NAME"
echo "+ java -jar dist/peer-client.jar $TRACKER $NAME -o demo/out/$NAME --progress --stats-json demo/out/stats.json" >&2
rc=0
timeout --foreground 600 "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "$NAME" -o "$OUT/$NAME" --progress \
    --stats-json "$OUT/stats.json" || rc=$?
[ "$rc" = 0 ] || fail "peer-client exited with status $rc"

echo
echo "stats (demo/out/stats.json):"
cat "$OUT/stats.json"
echo

OUT_SHA=$(sha256_of "$OUT/$NAME")
echo "sha256 sample: $SOURCE_SHA"
echo "sha256 output: $OUT_SHA"
[ "$OUT_SHA" = "$SOURCE_SHA" ] || fail "the output's SHA-256 differs from the sample's"
[ "$(json_field sha256 "$OUT/stats.json")" = "$SOURCE_SHA" ] || fail "stats.json's sha256 differs from the sample's"
used=$(json_peers "$OUT/stats.json" | awk '$2 > 0' | wc -l | tr -d ' ')
echo "peers that delivered chunks: $used of $SERVERS"
RESULT=PASS
