#!/usr/bin/env bash
# The swarm of issue 3 against one capped HTTP server, on loopback:
#   p2pstream: one JVM (p2pstream.peer.SwarmBench in dist/benchmarks.jar) with a tracker, one origin peer-server
#              whose upload is capped at 2x the bitrate, and N viewers paced like players at the bitrate (2 s
#              start-up buffer) joining one second apart, each serving what it holds to the others.
#   reference: N `curl --limit-rate BITRATE` viewers joining one second apart, all fetching the same file from ONE
#              nginx whose total upload is capped at the same 2x the bitrate (two ways of capping it, below).
# for N = 8, 16, 32. Prints a table and appends it to bench-out/results.md under "## Swarm (issue 3)" (replacing
# such a section left by an earlier standalone run).
#
# Run by scripts/bench.sh (`make bench`; BENCH_SWARM=0 skips it), or alone after `make build`. Installs nginx
# and curl with apt-get when they are missing (root on Debian). Stops everything it started on exit.
#
# Knobs (environment): BENCH_SWARM_VIEWERS ("8 16 32"), BENCH_SWARM_BITRATE (2000000 bytes/s),
# BENCH_SWARM_SIZE_MIB (24: about 12.6 s of stream at 2 MB/s), BENCH_SWARM_REF ("share slots": the nginx
# set-ups to run, "" for none), BENCH_SWARM_JAVA_OPTS (heap and direct memory for the one JVM holding all
# viewers), BENCH_PLAINTEXT (0; 1 runs every p2pstream peer as --plaintext would, frames in clear after the
# handshake, and titles the section "## Swarm (issue 3), plaintext", logs in bench-out/swarm-logs-plaintext:
# scripts/bench.sh runs it so, without the nginx side, to set beside the encrypted default),
# BENCH_KEEP (0; 1 keeps the temp dir), BENCH_OUT (bench-out).
#
# Exit status 1 when a p2pstream viewer failed, delivered an incomplete stream or different bytes.
set -euo pipefail
export LC_ALL=C # decimal points in printf and awk

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VIEWER_COUNTS=${BENCH_SWARM_VIEWERS:-8 16 32}
BITRATE=${BENCH_SWARM_BITRATE:-2000000}
SIZE_MIB=${BENCH_SWARM_SIZE_MIB:-24}
REF_MODES=${BENCH_SWARM_REF-share slots}
# Each viewer's playback buffer holds its window of chunks in direct buffers (~the whole 24 MiB stream here)
# and each bulk connection a 1 MiB read buffer: about 14 viewers are live at once at 1 s joins and a 12.6 s
# stream, and 256 MiB of direct memory was measured too little for 32 viewers (a viewer whose loop thread hits
# OutOfMemoryError never returns). The heap itself stays small.
JAVA_OPTS=${BENCH_SWARM_JAVA_OPTS:--Xmx512m -XX:MaxDirectMemorySize=1g}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
PLAINTEXT=${BENCH_PLAINTEXT:-0}
CAP=$(( 2 * BITRATE ))
SIZE=$(( SIZE_MIB * 1024 * 1024 ))
BUFFER_MS=2000
JOIN_MS=1000
STREAM=swarm.ts
# a player with a 2 s buffer plays the whole stream without a stall only if its download ends by then, counted
# from its start: the stream's duration plus the buffer
DURATION_MS=$(( SIZE * 1000 / BITRATE ))
IN_TIME_MS=$(( DURATION_MS + BUFFER_MS ))
# a curl viewer still downloading 3 s after that is late whatever happens next: stop it there (this bounds the
# run time; its figures are what it got until then)
CUTOFF_MS=$(( IN_TIME_MS + 3000 ))

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-swarm.XXXXXX")
chmod 755 "$WORK" # nginx workers run as an unprivileged user and must reach the data
LOGS=$OUT/swarm-logs
TITLE="## Swarm (issue 3)"
TRANSPORT=encrypted
if [ "$PLAINTEXT" = 1 ]; then
    LOGS=$OUT/swarm-logs-plaintext
    TITLE="$TITLE, plaintext"
    TRANSPORT="plaintext (every peer as with --plaintext)"
fi
rm -rf "$LOGS"
mkdir -p "$LOGS"
SWARM_DIR=$WORK/swarm
mkdir -p "$SWARM_DIR/origin"

[ -f "$DIST/benchmarks.jar" ] || die "dist/benchmarks.jar missing (run make build)"
snapshot_dist "$WORK/dist"

clean_up_work_on_exit

HAVE_REF=1
if [ -n "$REF_MODES" ]; then
    ensure_tools nginx:nginx curl:curl || true
    { have_cmd nginx && have_cmd curl; } || HAVE_REF=0
fi

[ -x /usr/bin/time ] || ensure_tools /usr/bin/time:time || true

# timed FILE CMD...: runs CMD, writing "USER_S SYSTEM_S WALL_S" (its CPU and wall seconds) to FILE where
# /usr/bin/time is there
timed() {
    local file=$1
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%U %S %e' -o "$file" "$@"
    else
        "$@"
    fi
}

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# the same bytes for both sides; SwarmBench reuses the file since its size fits
log "swarm: generating $SIZE_MIB MiB of random data"
head -c "$SIZE" /dev/urandom >"$SWARM_DIR/origin/$STREAM"
chmod 644 "$SWARM_DIR/origin/$STREAM"
SOURCE_SHA=$(sha256_of "$SWARM_DIR/origin/$STREAM")

# summary min|median|max[-ms] VALUE...: of the values, where "never" sorts after every number; "n/a" if none;
# the -ms forms round to whole milliseconds
summary() {
    local what=${1%-ms} digits=3
    [ "$1" = "$what" ] || digits=0
    shift
    printf '%s\n' "$@" | awk -v what="$what" -v digits="$digits" '
        function show(x) { return x >= 1e300 ? "never" : sprintf("%." digits "f", x) }
        $1 == "never" { v[++n] = 1e300; next }
        $1 != "" { v[++n] = $1 + 0 }
        END {
            if (n == 0) { print "n/a"; exit }
            for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
            if (what == "min") print show(v[1])
            else if (what == "max") print show(v[n])
            else if (n % 2) print show(v[(n + 1) / 2])
            else if (v[n / 2 + 1] >= 1e300) print "never"
            else print show((v[n / 2] + v[n / 2 + 1]) / 2)
        }'
}

declare -A P2P_ROW=() P2P_SHORT=() REF_ROW=() REF_SHORT=()
FAILED=0

# ---------------------------------------------------------------- p2pstream side

# p2p_run N: one SwarmBench run; fills P2P_ROW[N] (detail row) and P2P_SHORT[N] (summary cells)
p2p_run() {
    local n=$1 rc=0 json=$LOGS/swarm-$n.json row
    log "swarm: p2pstream ${TRANSPORT%% *}, $n viewers (about $(( n * JOIN_MS / 1000 + DURATION_MS / 1000 + 5 )) s)"
    # the JVM's CPU time (user, system) and wall in LOGS/swarm-N.time: what encryption costs shows there first
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    timed "$LOGS/swarm-$n.time" timeout --foreground $(( 300 + 3 * n )) "$JAVA" $JAVA_OPTS -cp "$DIST/benchmarks.jar" \
        -Dswarm.joinMillis="$JOIN_MS" -Dswarm.bufferMillis="$BUFFER_MS" -Dswarm.plaintext="$([ "$PLAINTEXT" = 1 ] && echo true || echo false)" \
        p2pstream.peer.SwarmBench "$n" "$BITRATE" "$SIZE" "$SWARM_DIR" >"$LOGS/swarm-$n.out" 2>"$LOGS/swarm-$n.err" || rc=$?
    grep -m1 '^summary: ' "$LOGS/swarm-$n.out" | sed 's/^/  /' >&2 || true
    row=$(grep -m1 '^row: ' "$LOGS/swarm-$n.out" | sed 's/^row: //' || true)
    grep -m1 '^json: ' "$LOGS/swarm-$n.out" | sed 's/^json: //' >"$json" || true
    if [ "$rc" != 0 ] || [ ! -s "$json" ]; then
        FAILED=1
        local why
        why=$(grep -v '^[[:space:]]' "$LOGS/swarm-$n.err" | grep -E 'FAILED|Exception|Error|error' | head -n 3 | tr '\n' ' ' || true)
        log "swarm: p2pstream with $n viewers FAILED (exit $rc): ${why:-see ${LOGS#"$REPO_ROOT"/}/swarm-$n.*}"
        [ -n "$row" ] || row="| $n | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | FAILED (exit $rc) |"
        P2P_ROW[$n]=$row
        P2P_SHORT[$n]="FAILED | n/a | n/a"
        [ -s "$json" ] || return 0
    fi
    P2P_ROW[$n]=$row
    local min med at copies offload su_med su_max failed
    min=$(json_field continuityMin "$json")
    med=$(json_field continuityMedian "$json")
    at=$(json_field atTarget "$json")
    copies=$(awk -v b="$(json_field originUploadedBytes "$json")" -v s="$SIZE" 'BEGIN { printf "%.2f", b / s }')
    offload=$(json_field offload "$json")
    su_med=$(json_field startupMedianMillis "$json")
    su_max=$(json_field startupMaxMillis "$json")
    [ "$su_med" != -1 ] || su_med=n/a
    [ "$su_max" != -1 ] || su_max=n/a
    failed=$(json_field failed "$json")
    [ "$failed" = 0 ] || FAILED=1
    P2P_SHORT[$n]=$(printf '%s of %s (min %.3f, median %.3f)%s | %s | %.3f | %s / %s' "$at" "$n" "$min" "$med" \
        "$([ "$failed" = 0 ] || echo ", $failed FAILED")" "$copies" "$offload" "$su_med" "$su_max")
}

# ---------------------------------------------------------------- reference side

# curl_viewer INDEX PORT DIR: one HTTP viewer, paced at the bitrate by curl itself (--limit-rate), downloading
# until it has the file or CUTOFF_MS after its start. A 503 (server full, in the "slots" set-up) is retried
# every second, as a player would. Writes "index first_byte_ms end_ms bytes attempts http_code" (times from
# its own start) to DIR/viewer-INDEX.res.
curl_viewer() {
    local i=$1 port=$2 dir=$3 out=$3/viewer-$1.ts start now left res code bytes first=-1 attempts=0 t_start
    start=$(now_ms)
    while :; do
        now=$(now_ms)
        left=$(( start + CUTOFF_MS - now ))
        [ "$left" -gt 100 ] || break
        attempts=$(( attempts + 1 ))
        t_start=$(( now - start ))
        res=$(curl -sS --fail --limit-rate "$BITRATE" --max-time "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')" \
            -o "$out" -w '%{http_code} %{size_download} %{time_starttransfer}' "http://127.0.0.1:$port/$STREAM" 2>>"$dir/curl.err") || true
        code=${res%% *}
        bytes=$(echo "$res" | awk '{ print $2 + 0 }')
        if [ "$bytes" -gt 0 ]; then
            first=$(awk -v t="$t_start" -v s="$(echo "$res" | awk '{ print $3 }')" 'BEGIN { printf "%d", t + s * 1000 }')
            break
        fi
        if [ "$code" = 503 ] || [ "$code" = 000 ]; then
            sleep 1
            continue
        fi
        break
    done
    now=$(now_ms)
    bytes=$(stat -c %s "$out" 2>/dev/null || echo 0)
    echo "$i $first $(( now - start )) $bytes $attempts ${code:-000}" >"$dir/viewer-$i.res"
}

# ref_run MODE N: N curl viewers against one nginx capped at CAP in total; fills REF_ROW[MODE N], REF_SHORT[...]
#
# nginx's limit_rate is per connection, so the total cap is built from it, two ways:
#   share  every viewer is admitted at once and gets CAP/N (limit_rate CAP/N): the fair share when all N are
#          connected, so the total never exceeds the cap. It is not work-conserving: while fewer than N viewers
#          are connected (the first and last seconds) the server sends less than it could.
#   slots  CAP/BITRATE viewers are served at the full bitrate (limit_rate BITRATE, limit_conn CAP/BITRATE), the
#          others get 503 and retry every second until a slot frees: what a server at capacity does, and
#          work-conserving. Viewers admitted late are late.
# Either way the total upload never exceeds CAP, the same cap as the p2pstream origin; neither can deliver N
# streams in time when N > CAP/BITRATE.
ref_run() {
    local mode=$1 n=$2 rate dir port i t0 wake pids=() label
    dir=$WORK/ref-$mode-$n
    mkdir -p "$dir"
    case $mode in
        share)
            rate=$(( CAP / n ))
            label="fair share: limit_rate $rate (cap/$n) per connection"
            NGINX_HTTP_EXTRA="" NGINX_SERVER_EXTRA=""
            ;;
        slots)
            rate=$BITRATE
            label="$(( CAP / BITRATE )) slots: limit_rate $BITRATE, limit_conn $(( CAP / BITRATE )), 503 + retry"
            NGINX_HTTP_EXTRA="limit_conn_zone \$server_addr zone=swarm_slots:1m;"
            NGINX_SERVER_EXTRA="limit_conn swarm_slots $(( CAP / BITRATE ));"
            ;;
        *) die "BENCH_SWARM_REF: unknown set-up $mode (expected: share, slots)" ;;
    esac
    log "swarm: nginx ($label) + $n curl viewers (about $(( n * JOIN_MS / 1000 + CUTOFF_MS / 1000 + 2 )) s)"
    NGINX_ROOT=$SWARM_DIR/origin NGINX_PROBE=$STREAM
    if ! start_nginx "nginx-$mode-$n" "$rate" 1; then
        REF_ROW["$mode $n"]="| $n | $label | nginx did not start | | | | | |"
        REF_SHORT["$mode $n"]="n/a"
        return 0
    fi
    port=${NGINX_PORTS[0]}
    t0=$(now_ms)
    for (( i = 0; i < n; i++ )); do
        wake=$(( t0 + i * JOIN_MS - $(now_ms) ))
        [ "$wake" -gt 0 ] && sleep "$(awk -v ms="$wake" 'BEGIN { printf "%.3f", ms / 1000 }')"
        start_bg "curl-$mode-$n-$i" "$dir" curl_viewer "$i" "$port" "$dir"
        pids+=("$LAST_PID")
    done
    for i in "${pids[@]}"; do
        wait "$i" 2>/dev/null || true
    done
    stop_pid "$NGINX_PID" 10

    # per viewer: complete and identical, finished in time, average rate from its start / bitrate, start-up
    local in_time=0 complete=0 served=0 ratios=() firsts=() startups=() f idx first end bytes attempts code
    for (( i = 0; i < n; i++ )); do
        f=$dir/viewer-$i.res
        [ -s "$f" ] || { log "  curl viewer $i left no result"; continue; }
        read -r idx first end bytes attempts code <"$f"
        served=$(( served + bytes ))
        if [ "$bytes" = "$SIZE" ] && [ "$(sha256_of "$dir/viewer-$i.ts")" = "$SOURCE_SHA" ]; then
            complete=$(( complete + 1 ))
            [ "$end" -le "$IN_TIME_MS" ] && in_time=$(( in_time + 1 ))
        elif [ "$bytes" = "$SIZE" ]; then
            log "  curl viewer $i: bytes differ from the source"
        fi
        rm -f "$dir/viewer-$i.ts"
        ratios+=("$(awk -v b="$bytes" -v ms="$end" -v r="$BITRATE" 'BEGIN { if (ms <= 0) ms = 1; printf "%.3f", b / (ms / 1000) / r }')")
        if [ "$first" -ge 0 ]; then
            firsts+=("$first")
            # when 2 s of stream (2 x bitrate bytes) were in: curl's rate is steady, so interpolate
            startups+=("$(awk -v f="$first" -v e="$end" -v b="$bytes" -v need="$(( BUFFER_MS * BITRATE / 1000 ))" \
                'BEGIN { if (b >= need) printf "%d", f + (e - f) * need / b; else print "never" }')")
        else
            startups+=(never)
        fi
    done
    local rmin rmed fmed smed smax copies
    rmin=$(summary min "${ratios[@]}")
    rmed=$(summary median "${ratios[@]}")
    fmed=$(summary median-ms "${firsts[@]}")
    smed=$(summary median-ms "${startups[@]}")
    smax=$(summary max-ms "${startups[@]}")
    copies=$(awk -v s="$served" -v z="$SIZE" 'BEGIN { printf "%.2f", s / z }')
    log "  $in_time of $n in time, $complete complete by the cut-off, rate/bitrate min $rmin median $rmed, served $copies copies"
    REF_ROW["$mode $n"]="| $n | $label | $in_time of $n | $complete of $n | $rmin | $rmed | $copies (of $n) | $fmed | $smed / $smax |"
    REF_SHORT["$mode $n"]="$in_time of $n (rate/bitrate median $rmed)"
}

# ---------------------------------------------------------------- runs

for n in $VIEWER_COUNTS; do
    p2p_run "$n"
    if [ "$HAVE_REF" = 1 ]; then
        for mode in $REF_MODES; do
            ref_run "$mode" "$n"
        done
    fi
done

# ---------------------------------------------------------------- table

RESULTS=$OUT/results.md
SECTION=$WORK/swarm.md
{
    echo "$TITLE"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $LOAD_AT_START, after: $(cut -d' ' -f1-3 /proc/loadavg); loopback; JVM options: $JAVA_OPTS; p2pstream $TRANSPORT."
    echo "One $SIZE_MIB MiB stream at a bitrate of $BITRATE bytes/s ($(awk -v d="$DURATION_MS" 'BEGIN { printf "%.1f", d / 1000 }') s of play); one server whose upload is capped at"
    echo "$CAP bytes/s (2x the bitrate); N viewers joining $(( JOIN_MS / 1000 )) s apart, each with a $(( BUFFER_MS / 1000 )) s start-up buffer."
    echo
    echo "- **p2pstream**: a tracker, one origin peer-server (\`--upload-limit\` 2x bitrate) and N viewers paced like players"
    echo "  at the bitrate, all in one JVM (\`p2pstream.peer.SwarmBench\`); viewers serve each other. *continuity* = share of"
    echo "  chunks in place before the player needed them (the client's own figure); every output's SHA-256 is checked."
    echo "  *origin upload* = bytes the origin sent / stream size; *offload* = bytes viewers got from other viewers / all bytes"
    echo "  they received; *start-up* = start to first byte played (the 2 s buffer filled)."
    [ -z "$REF_MODES" ] || {
        echo "- **nginx + curl**: N \`curl --limit-rate $BITRATE\` viewers against one nginx with the same total cap. curl does not"
        echo "  play, so its figure is simpler: a viewer is *in time* when its download finished within the stream's duration + the"
        echo "  buffer ($(awk -v d="$IN_TIME_MS" 'BEGIN { printf "%.1f", d / 1000 }') s) of its start, which a player needs (necessary, not sufficient: it ignores"
        echo "  bursts); *rate / bitrate* = its average download rate from its start / the bitrate (1.0 keeps up, 0.25 plays a quarter"
        echo "  of real time); viewers are stopped $(( (CUTOFF_MS - IN_TIME_MS) / 1000 )) s after the in-time limit (by then they are late), so *served* counts"
        echo "  copies sent by then, against the N needed; *start-up* = when 2 s of stream were in, interpolated from curl's steady"
        echo "  rate. Two ways to cap nginx's total, since its \`limit_rate\` is per connection: *fair share* admits everyone at"
        echo "  cap/N each; *slots* serves cap/bitrate = $(( CAP / BITRATE )) viewers at the bitrate and answers the others 503 (they retry every second)."
    }
    echo
    echo "| viewers | p2pstream: viewers at continuity >= 0.99 | origin upload (copies) | offload | start-up median / max ms |$(for m in $REF_MODES; do [ "$m" = share ] && printf ' nginx fair share: in time |' || printf ' nginx %s slots: in time |' "$(( CAP / BITRATE ))"; done)"
    echo "|---:|---|---:|---:|---:|$(for m in $REF_MODES; do printf -- '---|'; done)"
    for n in $VIEWER_COUNTS; do
        line="| $n | ${P2P_SHORT[$n]:-n/a} |"
        for m in $REF_MODES; do
            line="$line ${REF_SHORT["$m $n"]:-n/a} |"
        done
        echo "$line"
    done
    echo
    echo "p2pstream in detail:"
    echo
    echo "| viewers | continuity min | continuity median | at >= 0.99 | stalls | origin upload (copies) | offload | start-up median ms | start-up max ms | check |"
    echo "|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"
    for n in $VIEWER_COUNTS; do
        echo "${P2P_ROW[$n]:-| $n | not run | | | | | | | | |}"
    done
    if [ -n "$REF_MODES" ]; then
        echo
        if [ "$HAVE_REF" = 1 ]; then
            echo "nginx + curl in detail:"
            echo
            echo "| viewers | nginx | in time | complete by the cut-off | rate / bitrate min | rate / bitrate median | served (copies) | first byte median ms | start-up median / max ms |"
            echo "|---:|---|---|---|---:|---:|---:|---:|---|"
            for n in $VIEWER_COUNTS; do
                for m in $REF_MODES; do
                    echo "${REF_ROW["$m $n"]:-| $n | $m | not run | | | | | | |}"
                done
            done
            echo
            echo "Versions: $("$NGINX" -v 2>&1 | head -n 1); $(curl --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2)."
        else
            echo "nginx + curl: not run (nginx or curl missing and not installable)."
        fi
    fi
} >"$SECTION"

# replace a section an earlier standalone run left, keep everything else
put_section "$RESULTS" "$SECTION"
log "logs in ${LOGS#"$REPO_ROOT"/}"
if [ "$FAILED" != 0 ]; then
    die "a p2pstream swarm run FAILED: viewers incomplete or with different bytes (see ${LOGS#"$REPO_ROOT"/})"
fi
