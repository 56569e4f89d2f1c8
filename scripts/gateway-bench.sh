#!/usr/bin/env bash
# The HTTP gateway (peer-client TRACKER --http) against nginx as curl sees them, on loopback, with the built jars
# as separate processes; each side measured in turn in the same run (nginx, gateway, gateway cached, nginx, ...):
#   (1) throughput of curl -o /dev/null of one large file: from nginx (sendfile), through a gateway fetching it from
#       one peer-server (a new gateway with an empty cache for every run), and from the gateway's cache (the same
#       gateway asked again once it holds the whole file; the bytes the peer-server sent meanwhile are shown)
#   (2) time to first byte of a seek into the file, none of it in the gateway's cache: the byte 16 MiB before the
#       end, on a new gateway (its first request for the stream: manifest and peer included), then the byte in the
#       middle on the same gateway (the stream open, that part not fetched); against nginx answering the same
#       ranges. The bytes the peer-server sent for each seek show what was fetched.
# Every download's size is checked; the cached one's SHA-256 once more after the timed runs.
# Prints a table and appends it to bench-out/results.md under "## HTTP gateway (issue 13)".
#
# Run by scripts/bench.sh (`make bench`; BENCH_GATEWAY=0 skips it), or alone after `make build`. Installs nginx and
# curl with apt-get where missing (root on Debian). Stops everything it started on exit.
#
# Knobs (environment): BENCH_GATEWAY_FILE (a file to serve; default BENCH_SIZE_MIB of random data made here),
# BENCH_SIZE_MIB (1024), BENCH_RUNS (3: the median is reported), BENCH_KEEP (0; 1 keeps the temp dir), BENCH_OUT
# (bench-out).
set -euo pipefail
export LC_ALL=C

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
RESULTS=$OUT/results.md
SEEK_BYTES=$(( 16 * 1024 * 1024 ))

mkdir -p "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-gateway.XXXXXX")
chmod 755 "$WORK" # nginx workers run as an unprivileged user and must reach the data
LOGS=$OUT/gateway-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
for jar in tracker peer-server peer-client; do
    [ -f "$DIST/$jar.jar" ] || die "dist/$jar.jar missing (run make build)"
done
snapshot_dist "$WORK/dist"
clean_up_work_on_exit
ensure_tools nginx:nginx curl:curl || die "nginx and curl are needed for the gateway benchmark"

DATA=$WORK/data
mkdir -p "$DATA"
chmod 755 "$DATA"
NAME=gateway.bin
if [ -n "${BENCH_GATEWAY_FILE:-}" ]; then
    ln "$BENCH_GATEWAY_FILE" "$DATA/$NAME" 2>/dev/null || cp "$BENCH_GATEWAY_FILE" "$DATA/$NAME"
else
    log "generating $SIZE_MIB MiB of random data"
    head -c $(( SIZE_MIB * 1024 * 1024 )) /dev/urandom >"$DATA/$NAME"
fi
chmod 644 "$DATA/$NAME"
SIZE=$(stat -c %s "$DATA/$NAME")
SHA=$(sha256_of "$DATA/$NAME")
[ "$SIZE" -gt $(( 2 * SEEK_BYTES )) ] || die "$NAME: $SIZE bytes (expected: more than $(( 2 * SEEK_BYTES )))"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# ---------------------------------------------------------------- the servers

start_tracker "$LOGS" || die "$START_ERROR"
SHARE=$WORK/share
mkdir -p "$SHARE"
ln "$DATA/$NAME" "$SHARE/" 2>/dev/null || cp "$DATA/$NAME" "$SHARE/"
log "peer-server: hashing $SIZE bytes"
start_peer_server peer-server "$LOGS" "$SHARE" --http 0 || die "$START_ERROR"
line=$(wait_for_line "$SERVER_PID" "$LOGS/peer-server.out" '^http listening on ' 30) || die "the peer-server printed no http address"
SERVER_STATUS=${line#http listening on }api/status
wait_for_peers "$NAME" 1 60 || die "the tracker did not list $NAME"
start_nginx nginx 0 1 || die "nginx did not start"
NGINX_URL=http://127.0.0.1:${NGINX_PORTS[0]}/$NAME

# sent_bytes: what the peer-server has sent so far, all streams
sent_bytes() {
    curl -sS --fail --max-time 10 -o "$WORK/status.json" "$SERVER_STATUS" || return 1
    json_field sentBytes "$WORK/status.json"
}

# start_gateway N: a new gateway with an empty cache of its own; sets GATEWAY_URL and GATEWAY_PID
start_gateway() {
    local line status=0
    rm -rf "$WORK/cache"
    start_bg "gateway-$1" "$LOGS" "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" --http 0 --cache "$WORK/cache" \
        --cache-size 4G
    GATEWAY_PID=$LAST_PID
    line=$(wait_for_line "$GATEWAY_PID" "$LOGS/gateway-$1.out" '^http gateway listening on ' 60) || status=$?
    [ "$status" = 0 ] || die "$(why_not_started "gateway-$1" "$LOGS" "$status")"
    GATEWAY_URL=${line#http gateway listening on }stream/$NAME
}

# fetch URL [RANGE]: curl -o /dev/null; prints "WALL_MS BYTES CURL_MS" (wall: the whole command, curl's start
# included; curl's: its request's total time, from before it connects to the last byte)
fetch() {
    local url=$1 range=${2:-} start end got
    start=$(now_ms)
    got=$(curl -sS --fail --max-time 600 ${range:+-r "$range"} -o /dev/null -w '%{size_download} %{time_total}' \
        "$url") || return 1
    end=$(now_ms)
    awk -v w=$(( end - start )) -v g="$got" 'BEGIN { split(g, f, " "); printf "%d %d %.1f\n", w, f[1], f[2] * 1000 }'
}

declare -A FIG=()
# note KEY VALUE: adds VALUE to the figures of KEY
note() {
    FIG[$1]="${FIG[$1]:-} $2"
}

# whole KEY URL: one timed download of the whole file, its size checked
whole() {
    local v wall bytes ttfb
    v=$(fetch "$2") || die "$1: curl failed"
    read -r wall bytes ttfb <<<"$v"
    [ "$bytes" = "$SIZE" ] || die "$1: $bytes bytes (expected: $SIZE)"
    note "$1" "$wall"
    log "  $1: $(awk -v w="$wall" 'BEGIN { printf "%.2f", w / 1000 }') s"
}

# seek KEY URL OFFSET: the time to the first byte of the file at OFFSET: curl's total time for that one byte
# (Range: bytes=OFFSET-OFFSET). curl's time_starttransfer would stop at the response head, which the gateway sends
# before it has the bytes.
seek() {
    local v wall bytes took
    v=$(fetch "$2" "$3-$3") || die "$1: curl -r $3-$3 failed"
    read -r wall bytes took <<<"$v"
    [ "$bytes" = 1 ] || die "$1: $bytes bytes (expected: 1)"
    note "$1" "$took"
    log "  $1: the byte at $3 after $took ms"
}

# ---------------------------------------------------------------- the runs

END_SEEK=$(( SIZE - SEEK_BYTES ))
MID_SEEK=$(( SIZE / 2 ))
for (( i = 1; i <= RUNS; i++ )); do
    log "run $i of $RUNS"
    whole nginx "$NGINX_URL"
    start_gateway "$i"
    whole fetching "$GATEWAY_URL"
    before=$(sent_bytes) || die "no status from the peer-server"
    whole cached "$GATEWAY_URL"
    after=$(sent_bytes) || die "no status from the peer-server"
    note sent-cached $(( after - before ))
    if [ "$i" = "$RUNS" ]; then
        got=$(curl -sS --fail --max-time 600 "$GATEWAY_URL" | sha256sum | cut -d' ' -f1)
        [ "$got" = "$SHA" ] || die "the gateway's cached copy differs from the source (SHA-256 $got, expected: $SHA)"
    fi
    stop_pid "$GATEWAY_PID" 10

    seek nginx-end "$NGINX_URL" "$END_SEEK"
    seek nginx-mid "$NGINX_URL" "$MID_SEEK"
    start_gateway "seek-$i"
    before=$(sent_bytes) || die "no status from the peer-server"
    seek gateway-end "$GATEWAY_URL" "$END_SEEK"
    middle=$(sent_bytes) || die "no status from the peer-server"
    seek gateway-mid "$GATEWAY_URL" "$MID_SEEK"
    after=$(sent_bytes) || die "no status from the peer-server"
    note sent-end $(( middle - before ))
    note sent-mid $(( after - middle ))
    stop_pid "$GATEWAY_PID" 10
done
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

# ---------------------------------------------------------------- the table

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# shellcheck disable=SC2086 # lists of figures
med() {
    median ${FIG[$1]}
}

mbps() {
    awk -v b="$SIZE" -v ms="$1" 'BEGIN { printf "%.1f", b / (ms / 1000.0) / 1e6 }'
}

secs() {
    awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000.0 }'
}

mib() {
    awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'
}

NGINX_MS=$(med nginx)
SECTION=$WORK/gateway.md
{
    echo "## HTTP gateway (issue 13)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, loopback. One $(mib "$SIZE") MiB random file; curl -o /dev/null"
    echo "from nginx (sendfile) and through \`peer-client TRACKER --http 0\` (java -jar), each side in turn, $RUNS runs,"
    echo "the median reported; wall clock of the curl command; MB/s = 10^6 bytes/s. Load average before: $LOAD_AT_START,"
    echo "after: $LOAD_AT_END (other processes shared the 2 cores when it is well above 0)."
    echo
    echo "| case | wall s | MB/s | nginx wall s | nginx MB/s | nginx / gateway | notes |"
    echo "|---|---:|---:|---:|---:|---:|---|"
    for key in fetching cached; do
        ms=$(med "$key")
        case $key in
            fetching) label="gateway fetching from 1 peer-server (empty cache)"
                why="a new gateway each run: tracker lookup, manifest, every chunk verified" ;;
            cached) label="gateway, the stream in its cache"
                why="the same gateway asked again; the peer-server sent$(printf ' %s' ${FIG[sent-cached]}) bytes"
                why="$why meanwhile (each run); SHA-256 of the last run checked" ;;
        esac
        echo "| $label | $(secs "$ms") | $(mbps "$ms") | $(secs "$NGINX_MS") | $(mbps "$NGINX_MS") |" \
            "$(awk -v a="$NGINX_MS" -v b="$ms" 'BEGIN { printf "%.2f", a / b }') | $why |"
    done
    echo
    echo "Time to first byte of a seek into the file with none of it in the gateway's cache: curl's total time for the"
    echo "one byte at the offset (\`Range: bytes=N-N\`; the gateway sends the response head at once, the byte once its"
    echo "256 KiB chunk came from the peer-server and was verified), medians; and what the peer-server had sent for it"
    echo "when the byte arrived."
    echo
    echo "| seek to | gateway ms | nginx ms | peer-server sent for it, MiB | notes |"
    echo "|---|---:|---:|---:|---|"
    echo "| $END_SEEK (16 MiB before the end) | $(med gateway-end) | $(med nginx-end) | $(mib "$(med sent-end)") |" \
        "a new gateway's first request: tracker lookup, manifest and peer connection included |"
    echo "| $MID_SEEK (the middle) | $(med gateway-mid) | $(med nginx-mid) | $(mib "$(med sent-mid)") |" \
        "then on the same gateway, the stream open |"
    echo
    echo "$("$NGINX" -v 2>&1 | head -n 1); $(curl --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2); $("$JAVA" -version 2>&1 | head -n 1)."
} >"$SECTION"
put_section "$RESULTS" "$SECTION"
