#!/usr/bin/env bash
# p2pstream against the reference tools, on loopback, with one 256 MiB file:
#   (a) 1 peer-server + peer-client   vs  nginx (sendfile on) + curl      output to /dev/null, and to a file
#   (b) 4 peer-servers, each --upload-limit 25MB/s + peer-client
#                                      vs  4 nginx servers, each limit_rate 25 MB/s + aria2c -x4 -s4 (4 mirrors)
# then the JMH benchmarks briefly, then the swarm of issue 3 (scripts/swarm-bench.sh: N paced viewers and one
# origin capped at 2x the bitrate vs N curl viewers and one capped nginx), then live latency through 1, 2 and 3
# relay hops (scripts/live-bench.sh), then the tracker at scale of issue 5 (scripts/tracker-bench.sh: sessions
# held, LOOKUP/ANNOUNCE per second, heap per entry). Prints a table and writes it to bench-out/results.md.
#
# Run by `make bench` (after `make build`). Installs nginx, curl and aria2 with apt-get when they are missing
# (root on Debian). Stops everything it started on exit, Ctrl-C included.
#
# Knobs (environment): BENCH_SIZE_MIB (256), BENCH_RUNS (3: the median is reported), BENCH_RATE_MB (25:
# per-server cap in MB/s = 10^6 bytes/s, for both sides), BENCH_JMH (1; 0 skips JMH), BENCH_KEEP (0; 1 keeps
# the temp dir), BENCH_OUT (bench-out), BENCH_SWARM (1; 0 skips the swarm; its own knobs, BENCH_SWARM_*, are
# described in swarm-bench.sh), BENCH_LIVE (1; 0 skips the live latency run; BENCH_LIVE_* in live-bench.sh),
# BENCH_TRACKER (1; 0 skips the tracker at scale; its knobs, BENCH_TRACKER_*, are described in tracker-bench.sh).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${BENCH_SIZE_MIB:-256}
RUNS=${BENCH_RUNS:-3}
RATE_MB=${BENCH_RATE_MB:-25}
RATE_BYTES=$(( RATE_MB * 1000000 ))
RUN_JMH=${BENCH_JMH:-1}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
SIZE_BYTES=$(( SIZE_MIB * 1024 * 1024 ))
NAME=bench.bin
MIRRORS=4

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-bench.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS"
chmod 755 "$WORK" # nginx workers run as an unprivileged user and must reach the data

P2P_MISSING=""
for jar in tracker peer-server peer-client; do
    [ -f "$DIST/$jar.jar" ] || P2P_MISSING="$P2P_MISSING dist/$jar.jar"
done
snapshot_dist "$WORK/dist"

clean_up_work_on_exit

# ---------------------------------------------------------------- tools

# have_cmd, ensure_tools and the nginx helpers (start_nginx, free_port, wait_nginx) are in lib.sh: the
# swarm benchmark (swarm-bench.sh) uses them too.

HAVE_NGINX=1 HAVE_CURL=1 HAVE_ARIA2=1
ensure_tools nginx:nginx curl:curl aria2c:aria2 || true
have_cmd nginx || HAVE_NGINX=0
have_cmd curl || HAVE_CURL=0
have_cmd aria2c || HAVE_ARIA2=0

# ---------------------------------------------------------------- results

declare -A REF=() P2P=() P2P_WALL=() NOTE=()

# mbps BYTES MILLIS: decimal MB/s with one decimal
mbps() {
    awk -v b="$1" -v ms="$2" 'BEGIN { if (ms <= 0) ms = 1; printf "%.1f", b / (ms / 1000.0) / 1e6 }'
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    awk -v p="$1" -v r="$2" 'BEGIN { if (p == "" || r == "" || r + 0 == 0) print "n/a"; else printf "%.2f", p / r }'
}

# ---------------------------------------------------------------- data

# other work on this machine skews every figure below: say so in the results
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
if awk -v l="${LOAD_AT_START%% *}" 'BEGIN { exit !(l + 0 > 0.5) }' 2>/dev/null; then
    log "warning: load average $LOAD_AT_START before starting: other processes will skew the figures"
fi

DATA=$WORK/data
mkdir -p "$DATA"
log "generating $SIZE_MIB MiB of random data"
head -c "$SIZE_BYTES" /dev/urandom >"$DATA/$NAME"
chmod 644 "$DATA/$NAME"
SOURCE_SHA=$(sha256_of "$DATA/$NAME")

# ---------------------------------------------------------------- reference side

# curl_run OUT: one download to OUT; prints MB/s (curl's own total time, connect included)
curl_run() {
    local out=$1 port=${NGINX_PORTS[0]} result bytes secs
    rm -f "$WORK/out.bin"
    result=$(curl -sS --fail --max-time 600 -o "$out" -w '%{size_download} %{time_total}' "http://127.0.0.1:$port/$NAME")
    bytes=${result% *}
    secs=${result#* }
    [ "$bytes" = "$SIZE_BYTES" ] || { log "curl got $bytes bytes (expected: $SIZE_BYTES)"; return 1; }
    if [ "$out" != /dev/null ]; then
        [ "$(sha256_of "$out")" = "$SOURCE_SHA" ] || { log "curl output differs from the source"; return 1; }
    fi
    awk -v b="$bytes" -v s="$secs" 'BEGIN { if (s <= 0) s = 0.001; printf "%.1f", b / s / 1e6 }'
}

# aria2_run: one download from the 4 limited mirrors into a file; prints MB/s (wall clock)
aria2_run() {
    local urls=() p start end
    for p in "${NGINX_PORTS[@]}"; do
        urls+=("http://127.0.0.1:$p/$NAME")
    done
    rm -f "$WORK/out.bin"
    start=$(now_ms)
    timeout --foreground 900 aria2c --no-conf -q --max-connection-per-server=4 --split=4 --min-split-size=1M \
        --file-allocation=none --allow-overwrite=true --auto-file-renaming=false --max-tries=3 --retry-wait=1 \
        -d "$WORK" -o out.bin "${urls[@]}" >>"$LOGS/aria2c.log" 2>&1 || { log "aria2c failed: $(tail -n 2 "$LOGS/aria2c.log" | tr '\n' ' ')"; return 1; }
    end=$(now_ms)
    [ "$(sha256_of "$WORK/out.bin")" = "$SOURCE_SHA" ] || { log "aria2c output differs from the source"; return 1; }
    mbps "$SIZE_BYTES" $(( end - start ))
}

# measure KEY LABEL FUNCTION ARGS...: runs FUNCTION RUNS times, stores the median MB/s in REF[KEY]
measure_ref() {
    local key=$1 label=$2 i v values=()
    shift 2
    for (( i = 1; i <= RUNS; i++ )); do
        v=$("$@") || { NOTE[$key]="${NOTE[$key]:-}$label failed; "; return 0; }
        log "  $label run $i: $v MB/s"
        values+=("$v")
    done
    REF[$key]=$(median "${values[@]}")
}

if [ "$HAVE_NGINX" = 1 ] && [ "$HAVE_CURL" = 1 ]; then
    log "(a) nginx + curl"
    if start_nginx nginx-a 0 1; then
        measure_ref a-null "curl -> /dev/null" curl_run /dev/null
        measure_ref a-file "curl -> file" curl_run "$WORK/out.bin"
        stop_pid "$NGINX_PID" 10
    else
        NOTE[a-null]="nginx did not start; " NOTE[a-file]="nginx did not start; "
    fi
else
    NOTE[a-null]="nginx or curl missing; " NOTE[a-file]="nginx or curl missing; "
fi

if [ "$HAVE_NGINX" = 1 ] && [ "$HAVE_ARIA2" = 1 ] && [ "$HAVE_CURL" = 1 ]; then
    log "(b) $MIRRORS nginx servers at $RATE_MB MB/s + aria2c"
    if start_nginx nginx-b "$RATE_BYTES" "$MIRRORS"; then
        measure_ref b-file "aria2c -> file" aria2_run
        stop_pid "$NGINX_PID" 10
    else
        NOTE[b-file]="nginx did not start; "
    fi
else
    NOTE[b-file]="nginx, curl or aria2c missing; "
fi

# ---------------------------------------------------------------- p2pstream side

# client_run OUT KEY: one peer-client download (OUT is a file, or "null" for stdout into /dev/null); prints
# "MB/s wall-MB/s" where MB/s uses the client's own millis (start to end of output) and wall-MB/s includes
# JVM start-up. The client runs as a viewer would: every chunk verified against the manifest, no second hash
# of the whole output (--no-sha256); a file output is checked with sha256sum afterwards, outside the timing.
client_run() {
    local out=$1 key=$2 stats=$WORK/stats.json start end rc=0 bytes millis sha
    rm -f "$WORK/out.bin" "$WORK/out.bin.p2ps" "$stats"
    start=$(now_ms)
    if [ "$out" = null ]; then
        timeout --foreground 900 "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "$NAME" -o - --no-progress --no-sha256 --stats-json "$stats" \
            >/dev/null 2>>"$LOGS/peer-client.err" || rc=$?
    else
        timeout --foreground 900 "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" "$NAME" -o "$out" --no-progress --no-sha256 --stats-json "$stats" \
            >>"$LOGS/peer-client.out" 2>>"$LOGS/peer-client.err" || rc=$?
    fi
    end=$(now_ms)
    if [ "$rc" != 0 ]; then
        log "peer-client exited $rc: $(tail -n 2 "$LOGS/peer-client.err" | tr '\n' ' ')"
        return 1
    fi
    [ -s "$stats" ] || { log "peer-client wrote no stats JSON"; return 1; }
    bytes=$(json_field bytes "$stats")
    millis=$(json_field millis "$stats")
    [ "$bytes" = "$SIZE_BYTES" ] || { log "peer-client delivered $bytes bytes (expected: $SIZE_BYTES)"; return 1; }
    [ "$(json_field complete "$stats")" = true ] || { log "peer-client did not report a complete stream"; return 1; }
    if [ "$out" != null ]; then
        [ "$(sha256_of "$out")" = "$SOURCE_SHA" ] || { log "peer-client's file differs from the source"; return 1; }
    fi
    echo "$(mbps "$bytes" "$millis") $(mbps "$bytes" $(( end - start )))"
}

measure_p2p() {
    local key=$1 label=$2 i v values=() walls=()
    shift 2
    for (( i = 1; i <= RUNS; i++ )); do
        v=$("$@") || { NOTE[$key]="${NOTE[$key]:-}$label failed (logs: bench-out/logs); "; return 0; }
        log "  $label run $i: ${v% *} MB/s (${v#* } MB/s with JVM start-up)"
        values+=("${v% *}")
        walls+=("${v#* }")
    done
    P2P[$key]=$(median "${values[@]}")
    P2P_WALL[$key]=$(median "${walls[@]}")
    # the note of the last run (a subshell cannot hand it back): recompute from its stats file
    [ -s "$WORK/stats.json" ] || return 0
    NOTE[$key]="${NOTE[$key]:-}p2pstream last run: startup $(json_field startupMillis "$WORK/stats.json") ms, stalls $(json_field stalls "$WORK/stats.json"), hash failures $(json_field hashFailures "$WORK/stats.json"), $(json_peers "$WORK/stats.json" | awk '$2 > 0' | wc -l | tr -d ' ') peers used; "
}

# share_dir N: a directory holding the data file for peer-server N (a hard link: same bytes, own manifest cache)
share_dir() {
    local d=$WORK/share$1
    mkdir -p "$d"
    ln "$DATA/$NAME" "$d/$NAME" 2>/dev/null || cp "$DATA/$NAME" "$d/$NAME"
    echo "$d"
}


p2p_fail() {
    local msg=$1 key
    log "p2pstream: $msg"
    for key in a-null a-file b-file; do
        [ -n "${P2P[$key]:-}" ] || NOTE[$key]="${NOTE[$key]:-}p2pstream: $msg; "
    done
}

run_p2p() {
    if [ -n "$P2P_MISSING" ]; then
        p2p_fail "missing$P2P_MISSING (run make build)"
        return 0
    fi
    log "p2pstream: tracker"
    start_tracker "$LOGS" || { p2p_fail "$START_ERROR"; return 0; }
    log "  tracker on $TRACKER"

    log "(a) 1 peer-server + peer-client"
    start_peer_server peer-server-a "$LOGS" "$(share_dir 0)" || { p2p_fail "$START_ERROR"; return 0; }
    local a_pid=$SERVER_PID
    log "  peer-server on $SERVER_ADDRESS"
    if wait_for_peers "$NAME" 1 60; then
        measure_p2p a-null "peer-client -> /dev/null" client_run null a-null
        measure_p2p a-file "peer-client -> file" client_run "$WORK/out.bin" a-file
    else
        NOTE[a-null]="${NOTE[a-null]:-}p2pstream: tracker never listed the stream; "
        NOTE[a-file]="${NOTE[a-file]:-}p2pstream: tracker never listed the stream; "
    fi
    stop_pid "$a_pid" 10

    log "(b) $MIRRORS peer-servers at ${RATE_MB}MB/s + peer-client"
    local n
    for (( n = 1; n <= MIRRORS; n++ )); do
        start_peer_server "peer-server-b$n" "$LOGS" "$(share_dir "$n")" --upload-limit "${RATE_MB}MB/s" \
            || { NOTE[b-file]="${NOTE[b-file]:-}p2pstream: $START_ERROR; "; return 0; }
        log "  peer-server on $SERVER_ADDRESS"
    done
    if wait_for_peers "$NAME" "$MIRRORS" 60; then
        measure_p2p b-file "peer-client -> file" client_run "$WORK/out.bin" b-file
    else
        NOTE[b-file]="${NOTE[b-file]:-}p2pstream: tracker never listed $MIRRORS peers; "
    fi
}
run_p2p

# ---------------------------------------------------------------- table

RESULTS=$OUT/results.md
{
    echo "# p2pstream vs reference tools"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), $("$JAVA" -version 2>&1 | head -n 1)."
    echo "Load average before the run: $LOAD_AT_START (anything well above 0 means other processes shared the cores)."
    echo "Loopback (127.0.0.1), one $SIZE_MIB MiB random file in the page cache; median of $RUNS runs; MB/s = 10^6 bytes/s."
    echo "curl: its own time_total; aria2c: wall clock; p2pstream: the client's \`millis\` (start to end of output),"
    echo "and in brackets wall clock including JVM start-up. Caps in (b): $RATE_MB MB/s = $RATE_BYTES bytes/s per server on both sides"
    echo "(nginx \`limit_rate $RATE_BYTES\` per connection, aria2c one connection per mirror; peer-server \`--upload-limit ${RATE_MB}MB/s\` per process)."
    echo
    echo "| case | reference | MB/s | p2pstream | MB/s | p2pstream / reference | notes |"
    echo "|---|---|---:|---|---:|---:|---|"
    row() {
        local key=$1 case_label=$2 ref_label=$3 p2p_label=$4 p2p
        p2p=${P2P[$key]:-n/a}
        [ -n "${P2P_WALL[$key]:-}" ] && p2p="$p2p (${P2P_WALL[$key]})"
        local note=${NOTE[$key]:-}
        note=${note%"; "}
        echo "| $case_label | $ref_label | ${REF[$key]:-n/a} | $p2p_label | $p2p | $(ratio "${P2P[$key]:-}" "${REF[$key]:-}") | $note |"
    }
    row a-null "(a) 1 server, to /dev/null" "nginx + curl" "1 peer-server + peer-client"
    row a-file "(a) 1 server, to a file" "nginx + curl" "1 peer-server + peer-client"
    row b-file "(b) $MIRRORS servers x $RATE_MB MB/s, to a file" "$MIRRORS x nginx limit_rate + aria2c -x4 -s4" "$MIRRORS peer-servers + peer-client"
    echo
    echo "Versions: $("$NGINX" -v 2>&1 | head -n 1 || echo nginx missing); $(curl --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2 || echo curl missing); $(aria2c --version 2>/dev/null | head -n 1 || echo aria2c missing)."
} >"$RESULTS"

# ---------------------------------------------------------------- JMH

if [ "$RUN_JMH" = 1 ]; then
    if [ -f "$DIST/benchmarks.jar" ]; then
        log "JMH: LoopbackTransferBenchmark"
        jmh_ok=1
        timeout --foreground 1800 "$JAVA" -jar "$DIST/benchmarks.jar" -f 1 -wi 2 -i 3 -w 1s -r 2s \
            -rf json -rff "$OUT/jmh-transfer.json" LoopbackTransferBenchmark >"$OUT/jmh-transfer.txt" 2>&1 || jmh_ok=0
        # the codec paths need ~5 s of warm-up before C2 settles (PEERS swings 2-40 us/op before that)
        log "JMH: FrameCodecBenchmark -prof gc"
        timeout --foreground 1800 "$JAVA" -jar "$DIST/benchmarks.jar" -f 1 -wi 5 -i 3 -w 1s -r 2s -prof gc \
            -rf json -rff "$OUT/jmh-codec.json" FrameCodecBenchmark >"$OUT/jmh-codec.txt" 2>&1 || jmh_ok=0
        {
            echo
            echo "## JMH (-f 1 -i 3 -r 2s; warm-up -wi 2 -w 1s, codec -wi 5 -w 1s)"
            echo
            echo "LoopbackTransferBenchmark: score in ops/s where one op is 1 MiB, i.e. MiB/s."
            echo "FrameCodecBenchmark: ns per encode + decode round trip, with -prof gc allocation."
            echo
            echo '```'
            for f in "$OUT/jmh-transfer.txt" "$OUT/jmh-codec.txt"; do
                awk '/^Benchmark /{ p = 1 } p' "$f" | grep -vE ':gc\.(count|time)|:gc\.alloc\.rate +|^Benchmark result is saved|^$' \
                    || echo "(no result: see ${f#"$REPO_ROOT"/})"
                echo
            done
            echo '```'
        } >>"$RESULTS"
        [ "$jmh_ok" = 1 ] || log "a JMH run failed: see bench-out/jmh-*.txt"
    else
        echo -e "\nJMH: dist/benchmarks.jar missing (run make build)." >>"$RESULTS"
    fi
fi

# ---------------------------------------------------------------- swarm (issue 3)

# N paced viewers and one origin capped at 2x the bitrate, against one capped nginx (scripts/swarm-bench.sh;
# about 6 minutes for 8, 16 and 32 viewers). It appends its own section to the results.
SWARM_RC=0
if [ "${BENCH_SWARM:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST "$REPO_ROOT/scripts/swarm-bench.sh" || SWARM_RC=$?
fi

# ---------------------------------------------------------------- live latency (issue 4)

# ffmpeg's test pattern published live, viewers chained 1, 2 and 3 relay hops from the publisher
# (scripts/live-bench.sh; about 40 s). It appends its own section to the results.
LIVE_RC=0
if [ "${BENCH_LIVE:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST "$REPO_ROOT/scripts/live-bench.sh" || LIVE_RC=$?
fi

# ---------------------------------------------------------------- tracker at scale (issue 5)

# sessions held, LOOKUP/ANNOUNCE per second over persistent sessions, heap per entry (scripts/tracker-bench.sh;
# about 2 minutes). It appends its own section to the results.
TRACKER_RC=0
if [ "${BENCH_TRACKER:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST "$REPO_ROOT/scripts/tracker-bench.sh" || TRACKER_RC=$?
fi

rm -rf "$OUT/logs"
cp -r "$LOGS" "$OUT/logs" 2>/dev/null || true
echo
cat "$RESULTS"
echo
log "written to ${RESULTS#"$REPO_ROOT"/}"
[ "$SWARM_RC" = 0 ] || die "the swarm benchmark failed (exit $SWARM_RC): see bench-out/swarm-logs"
[ "$LIVE_RC" = 0 ] || die "the live benchmark failed (exit $LIVE_RC): see bench-out/live-logs"
[ "$TRACKER_RC" = 0 ] || die "the tracker benchmark failed (exit $TRACKER_RC): see bench-out/tracker-logs"
