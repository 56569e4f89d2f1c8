#!/usr/bin/env bash
# The tracker at scale (issue 5), on loopback:
#   (1) registry footprint: heap bytes per (stream, peer) entry at 1 million entries, in-process
#       (p2pstream.tracker.RegistryFootprint: GC'd heap before/after filling the registry, several shapes);
#   (2) dist/tracker.jar as its own process, and a load generator in another JVM (p2pstream.tracker.TrackerLoad)
#       that holds N sessions (HELLO + one ANNOUNCE each, PING every 3 s against a 10 s session timeout), then
#       measures LOOKUP and ANNOUNCE operations per second and their latency over persistent sessions, each with a
#       bounded number in flight; the tracker's RSS and GC'd heap with every session held.
# Prints a table and appends it to bench-out/results.md under "## Tracker at scale (issue 5)" (replacing such a
# section left by an earlier run).
#
# Run by scripts/bench.sh (`make bench`; BENCH_TRACKER=0 skips it), or alone after `make build`. About 2 minutes.
#
# Knobs (environment): BENCH_TRACKER_SESSIONS (10000: sessions held; lowered, and said so, when the open-files
# limit cannot be raised that far), BENCH_TRACKER_STREAMS (100: streams the held sessions announce, so 100 holders
# each), BENCH_TRACKER_ACTIVE (384: sessions sending LOOKUPs, and twice as many sending ANNOUNCEs, two frames
# each; the tracker closes a session sending more than 2000 frames/s, so the generator sends at most 1000 a second
# per session and says when that held it back), BENCH_TRACKER_WINDOW (6: requests in flight per active session;
# the tracker reads at most 8 LOOKUPs ahead), BENCH_TRACKER_SECONDS (10: each measurement, after a 5 s warm-up), BENCH_TRACKER_JAVA_OPTS (the tracker JVM's
# options; none: as a user starts it), BENCH_KEEP, BENCH_OUT (bench-out).
#
# Exit status 1 when a held session was dropped, an answer was wrong or the tracker's counts disagree.
set -euo pipefail
export LC_ALL=C

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SESSIONS=${BENCH_TRACKER_SESSIONS:-10000}
STREAMS=${BENCH_TRACKER_STREAMS:-100}
ACTIVE=${BENCH_TRACKER_ACTIVE:-384}
WINDOW=${BENCH_TRACKER_WINDOW:-6}
SECONDS_EACH=${BENCH_TRACKER_SECONDS:-10}
TRACKER_JAVA_OPTS=${BENCH_TRACKER_JAVA_OPTS:-}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
SESSION_TIMEOUT=10
PING_SECONDS=3

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-tracker.XXXXXX")
LOGS=$OUT/tracker-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
for jar in tracker benchmarks; do
    [ -f "$DIST/$jar.jar" ] || die "dist/$jar.jar missing (run make build)"
done
snapshot_dist "$WORK/dist"
clean_up_work_on_exit

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
NOTES=()
FAILED=0

# ---------------------------------------------------------------- open files

# each process holds one socket per session, plus its jars, logs and selectors
NEED_FDS=$(( SESSIONS + 512 ))
SOFT=$(ulimit -Sn)
HARD=$(ulimit -Hn)
if [ "$SOFT" != unlimited ] && [ "$SOFT" -lt "$NEED_FDS" ]; then
    if [ "$HARD" = unlimited ] || [ "$HARD" -ge "$NEED_FDS" ]; then
        ulimit -Sn "$NEED_FDS"
        log "tracker bench: raised the open-files soft limit from $SOFT to $NEED_FDS"
    else
        ulimit -Sn "$HARD"
        SESSIONS=$(( HARD - 512 ))
        NOTES+=("the open-files limit is $HARD (hard): $SESSIONS sessions held instead of ${BENCH_TRACKER_SESSIONS:-10000}")
        log "tracker bench: open-files hard limit $HARD: holding $SESSIONS sessions"
    fi
fi
FD_LIMIT=$(ulimit -Sn)

# ---------------------------------------------------------------- (1) footprint

log "tracker bench: registry footprint at 1 million entries (about 30 s)"
FOOTPRINT_ROWS=""
if timeout --foreground 600 "$JAVA" -Xms2g -Xmx2g -cp "$DIST/benchmarks.jar" p2pstream.tracker.RegistryFootprint \
        10000x100 1000x1000 100000x10 1000000x1 >"$LOGS/footprint.out" 2>"$LOGS/footprint.err"; then
    grep -v '^row: ' "$LOGS/footprint.out" | sed 's/^/  /' >&2
    FOOTPRINT_ROWS=$(grep '^row: ' "$LOGS/footprint.out" | sed 's/^row: //')
else
    FOOTPRINT_ROWS="| failed: see ${LOGS#"$REPO_ROOT"/}/footprint.err | | | | | |"
    FAILED=1
fi

# ---------------------------------------------------------------- (2) tracker + load generator

# rss_kib PID FIELD: VmRSS or VmHWM of a process, in KiB
rss_kib() {
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# heap_used_kib PID: the tracker's heap in use after a full GC (jcmd), in KiB; empty without jcmd
heap_used_kib() {
    command -v jcmd >/dev/null 2>&1 || return 0
    timeout 60 jcmd "$1" GC.run >/dev/null 2>&1 || return 0
    timeout 60 jcmd "$1" GC.heap_info 2>/dev/null | grep -m1 -oE 'used [0-9]+K' | grep -oE '[0-9]+' || true
}

mib() {
    awk -v k="$1" 'BEGIN { if (k == "") print "n/a"; else printf "%.1f", k / 1024 }'
}

log "tracker bench: dist/tracker.jar, $SESSIONS sessions, then LOOKUP from $ACTIVE of them and ANNOUNCE from $(( 2 * ACTIVE )), x $WINDOW in flight"
# every session comes from 127.0.0.1: the per-address limit (64 by default, against one host taking every slot)
# is raised with the total
start_tracker "$LOGS" --max-connections $(( SESSIONS + 100 )) --max-connections-per-address $(( SESSIONS + 100 )) \
    --session-timeout "$SESSION_TIMEOUT" || die "$START_ERROR"
log "  tracker on $TRACKER (pid $TRACKER_PID)"
HEAP_IDLE=$(heap_used_kib "$TRACKER_PID")
RSS_IDLE=$(rss_kib "$TRACKER_PID" VmRSS)

GO=$WORK/go
start_bg load "$LOGS" timeout 600 "$JAVA" -cp "$DIST/benchmarks.jar" p2pstream.tracker.TrackerLoad "$TRACKER" \
    --sessions "$SESSIONS" --streams "$STREAMS" --active "$ACTIVE" --announce-active $(( 2 * ACTIVE )) --window "$WINDOW" \
    --warmup-seconds 5 --seconds "$SECONDS_EACH" \
    --ping-seconds "$PING_SECONDS" --tracker-pid "$TRACKER_PID" --go-file "$GO"
LOAD_PID=$LAST_PID
HEAP_HELD="" RSS_HELD=""
if line=$(wait_for_line "$LOAD_PID" "$LOGS/load.out" '^held: ' 300); then
    log "  $line"
    HEAP_HELD=$(heap_used_kib "$TRACKER_PID")
    RSS_HELD=$(rss_kib "$TRACKER_PID" VmRSS)
    log "  tracker with every session held: RSS $(mib "$RSS_HELD") MiB, heap after GC $(mib "$HEAP_HELD") MiB"
fi
touch "$GO"
LOAD_RC=0
wait "$LOAD_PID" || LOAD_RC=$?
grep -vE '^(row: |held: )' "$LOGS/load.out" | sed 's/^/  /' >&2 || true
RSS_PEAK=$(rss_kib "$TRACKER_PID" VmHWM)
stop_pid "$TRACKER_PID" 10
if [ "$LOAD_RC" != 0 ]; then
    FAILED=1
    log "tracker bench: the load generator FAILED (exit $LOAD_RC): see ${LOGS#"$REPO_ROOT"/}/load.out, load.err"
fi
LOAD_ROWS=$(grep '^row: ' "$LOGS/load.out" | sed 's/^row: //' || true)
[ -n "$LOAD_ROWS" ] || LOAD_ROWS="| load generator | failed (exit $LOAD_RC): $(tail -n 2 "$LOGS/load.out" "$LOGS/load.err" 2>/dev/null | tr '\n' ' ') | | | | |"
PER_SESSION=$(awk -v a="$HEAP_IDLE" -v b="$HEAP_HELD" -v n="$SESSIONS" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.0f", (b - a) * 1024 / n }')

# ---------------------------------------------------------------- table

RESULTS=$OUT/results.md
SECTION=$WORK/tracker.md
{
    echo "## Tracker at scale (issue 5)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $LOAD_AT_START; loopback; $("$JAVA" -version 2>&1 | head -n 1)."
    echo
    echo "Registry footprint, in-process (\`p2pstream.tracker.RegistryFootprint\`, -Xmx2g): GC'd heap after announcing every"
    echo "entry minus before, over the entries; 10,000 sessions hold them evenly; fill and lookup rates are the registry alone"
    echo "(one thread, no network; lookups ask for 50 peers)."
    echo
    echo "| shape | entries | bytes / entry | MiB | fill entries/s | lookups/s |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "$FOOTPRINT_ROWS"
    echo
    echo "Over the wire (\`dist/tracker.jar\`, $("$JAVA" -version 2>&1 | head -n 1 | cut -d'"' -f2), JVM options: ${TRACKER_JAVA_OPTS:-none}; --threads default = $(nproc) loops) and a"
    echo "load generator in another JVM (\`p2pstream.tracker.TrackerLoad\`, 2 loops) on the same $(nproc) cores. $SESSIONS sessions each"
    echo "sent HELLO and one ANNOUNCE (of $STREAMS streams: $(( SESSIONS / STREAMS )) holders each) and PING every ${PING_SECONDS} s (session timeout ${SESSION_TIMEOUT} s);"
    echo "then some of them (load column) keep $WINDOW requests in flight each, a new one per answer: ${SECONDS_EACH} s measured after 5 s of warm-up. Latency is"
    echo "from the request's send to its answer, at that load. An ANNOUNCE op is two requests: the ANNOUNCE (no answer of its"
    echo "own) and a LOOKUP for 0 peers of the same stream whose answer confirms it; each session cycles through 8 streams,"
    echo "so the first ops add entries and the rest flip them between seed and partial. CPU is per thread from /proc during the measurement"
    echo "(tracker-0 runs the registry and half the sessions, tracker-1 the other half): when the tracker's and the"
    echo "generator's cores add up to the machine's, the figure is the machine's, not the tracker's limit."
    echo
    echo "| measure | result | load | p50 ms | p99 ms | notes |"
    echo "|---|---|---|---:|---:|---|"
    echo "$LOAD_ROWS"
    echo
    echo "Tracker process: RSS $(mib "$RSS_IDLE") MiB idle, $(mib "$RSS_HELD") MiB with $SESSIONS sessions held, peak $(mib "$RSS_PEAK") MiB;"
    echo "heap in use after a full GC $(mib "$HEAP_IDLE") MiB idle, $(mib "$HEAP_HELD") MiB with the sessions held (about $PER_SESSION bytes a session:"
    echo "its connection, session and registry objects; each connection's 8 KiB read buffer is direct memory: in the RSS, not the heap)."
    echo "Open-files limit: $FD_LIMIT.$(for n in "${NOTES[@]}"; do printf ' %s.' "$n"; done)"
} >"$SECTION"

put_section "$RESULTS" "$SECTION"
log "logs in ${LOGS#"$REPO_ROOT"/}"
[ "$FAILED" = 0 ] || die "the tracker benchmark FAILED (see ${LOGS#"$REPO_ROOT"/})"
