#!/usr/bin/env bash
# p2pstream against the reference tools on loopback, the goals of issue 12, each side measured in turn in the same
# run (reference, p2pstream, reference, ...) as wall time of the whole command, process start included:
#   (1) 1 peer-server, peer-client -o - into /dev/null  vs  nginx (sendfile) + curl | openssl dgst -sha256, and
#       vs raw nginx + curl -o /dev/null
#   (2) 1 peer-server, peer-client -o FILE              vs  nginx + curl -o FILE
#   (3) 4 peer-servers, peer-client -o FILE             vs  4 nginx + aria2c -x4 -s4 (4 mirrors), uncapped, and
#       each server capped at 25 MB/s (peer-server --upload-limit, nginx limit_rate)
#   (4) start-up: a 1 MiB stream, peer-client -o -      vs  curl of the same file + `java -version`
#   (5) memory: a 10 GiB sparse file, peer-client -o - and -o FILE: the client's peak RSS against its bound
#  (14) encryption (issue 14): 1 peer-server, peer-client -o - into /dev/null, both encrypted (the default)  vs
#       nginx over HTTPS (TLS 1.3, AES-256-GCM, a self-signed certificate made at start) + curl --cacert |
#       openssl dgst -sha256; and the same against a tracker, peer-server and peer-client all given --plaintext
# then the JMH benchmarks briefly, then the HTTP gateway of issue 13 against nginx, as curl sees both
# (scripts/gateway-bench.sh: throughput fetching from one peer-server and from the gateway's cache, time to first
# byte of a seek into the uncached file), then the swarm of issue 3 (scripts/swarm-bench.sh: N paced viewers and one
# origin capped at 2x the bitrate vs N curl viewers and one capped nginx), then live latency through 1, 2 and 3
# relay hops (scripts/live-bench.sh), then the tracker at scale of issue 5 (scripts/tracker-bench.sh: sessions
# held, LOOKUP/ANNOUNCE per second, heap per entry). The swarm and the live runs go twice, the second time with
# every p2pstream process given --plaintext (BENCH_PLAINTEXT=1, the swarm without its nginx side), and
# scripts/secure-compare.sh puts the two side by side. Prints a table and writes it to bench-out/results.md.
#
# The client runs as `make` leaves it: dist/peer-client, the launcher with its class-data archive (rebuilt here
# for the copy of dist/ the run uses); BENCH_CLIENT=jar runs `java -jar dist/peer-client.jar` instead. The
# start-up case measures both. Every chunk is verified against the manifest; the client's own SHA-256 of the
# whole output is off (--no-sha256); files written are checked with sha256sum afterwards, outside the timing.
#
# Run by `make bench` (after `make build`). Installs nginx, curl and aria2 with apt-get when they are missing
# (root on Debian). Stops everything it started on exit, Ctrl-C included.
#
# Knobs (environment): BENCH_SIZE_MIB (1024), BENCH_RUNS (3: the median is reported), BENCH_RATE_MB (25:
# per-server cap in MB/s = 10^6 bytes/s, for both sides), BENCH_START_KIB (1024: the start-up stream),
# BENCH_MEM_GIB (10; 0 skips the memory case), BENCH_MEM_BOUND_MIB (256: the RSS bound it is held to),
# BENCH_CLIENT (launcher; jar), BENCH_JMH (1; 0 skips JMH), BENCH_KEEP (0; 1 keeps the temp dir), BENCH_OUT
# (bench-out), BENCH_SWARM (1; 0 skips the swarm; its own knobs, BENCH_SWARM_*, are described in swarm-bench.sh),
# BENCH_LIVE (1; 0 skips the live latency run; BENCH_LIVE_* in live-bench.sh), BENCH_TRACKER (1; 0 skips the
# tracker at scale; its knobs, BENCH_TRACKER_*, are described in tracker-bench.sh), BENCH_GATEWAY (1; 0 skips the
# HTTP gateway against nginx, scripts/gateway-bench.sh), BENCH_ISSUE12 (1; 0 skips cases 1-5, leaving the
# encrypted rows), BENCH_ISSUE12_PLAINTEXT (1: cases 1-5 run p2pstream --plaintext, like their plain-HTTP
# references; 0: encrypted), BENCH_SECURE (1; 0 skips case 14 and the plaintext runs of the swarm and live
# benchmarks).
set -euo pipefail
export LC_ALL=C # decimal points in printf and awk

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZE_MIB=${BENCH_SIZE_MIB:-1024}
RUNS=${BENCH_RUNS:-3}
RATE_MB=${BENCH_RATE_MB:-25}
RATE_BYTES=$(( RATE_MB * 1000000 ))
START_KIB=${BENCH_START_KIB:-1024}
MEM_GIB=${BENCH_MEM_GIB:-10}
MEM_BOUND_MIB=${BENCH_MEM_BOUND_MIB:-256}
CLIENT_MODE=${BENCH_CLIENT:-launcher}
RUN_JMH=${BENCH_JMH:-1}
RUN_ISSUE12=${BENCH_ISSUE12:-1}
# issue 12's references speak plain HTTP: its cases run p2pstream (tracker, peer-servers, client) --plaintext too,
# so the rows compare like with like; what encryption costs is case 14's (BENCH_ISSUE12_PLAINTEXT=0: encrypted)
P12_ARGS=()
[ "${BENCH_ISSUE12_PLAINTEXT:-1}" = 1 ] && P12_ARGS=(--plaintext)
RUN_SECURE=${BENCH_SECURE:-1}
OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
SIZE_BYTES=$(( SIZE_MIB * 1024 * 1024 ))
NAME=bench.bin
START_NAME=start.bin
BIG_NAME=big.bin
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

HAVE_NGINX=1 HAVE_CURL=1 HAVE_ARIA2=1 HAVE_OPENSSL=1
ensure_tools nginx:nginx curl:curl aria2c:aria2 openssl:openssl || true
have_cmd nginx || HAVE_NGINX=0
have_cmd curl || HAVE_CURL=0
have_cmd aria2c || HAVE_ARIA2=0
have_cmd openssl || HAVE_OPENSSL=0
[ -x /usr/bin/time ] || ensure_tools /usr/bin/time:time || true

# the client command: the launcher with its class-data archive, built for this copy of dist/ (the archive names
# the jar's path), or the jar
CLIENT_LAUNCHER=()
if [ -z "$P2P_MISSING" ] && [ "$CLIENT_MODE" != jar ]; then
    if "$REPO_ROOT/scripts/launcher.sh" "$DIST" >"$LOGS/launcher.log" 2>&1; then
        CLIENT_LAUNCHER=("$DIST/peer-client")
    else
        log "scripts/launcher.sh failed (see bench-out/logs/launcher.log): the client runs as java -jar"
    fi
fi
CLIENT_JAR=("$JAVA" -jar "$DIST/peer-client.jar")
if [ ${#CLIENT_LAUNCHER[@]} -gt 0 ]; then
    CLIENT=("${CLIENT_LAUNCHER[@]}")
    CLIENT_LABEL="dist/peer-client"
else
    CLIENT=("${CLIENT_JAR[@]}")
    CLIENT_LABEL="java -jar dist/peer-client.jar"
fi

# ---------------------------------------------------------------- figures

# per side of a case (g1.ref, g1.p2p, ...): wall-clock millis of each run, peak RSS in KiB, the client's own millis
declare -A WALLS=() RSS=() OWN=() FAILED=() NOTE=()

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

largest() {
    printf '%s\n' "$@" | sort -g | tail -n 1
}

# mbps BYTES MILLIS: decimal MB/s with one decimal
mbps() {
    awk -v b="$1" -v ms="$2" 'BEGIN { if (ms == "") { print "n/a"; exit } if (ms <= 0) ms = 1; printf "%.1f", b / (ms / 1000.0) / 1e6 }'
}

seconds() {
    awk -v ms="$1" 'BEGIN { if (ms == "") print "n/a"; else printf "%.2f", ms / 1000.0 }'
}

# ratio A B: A / B with two decimals, n/a when either is missing
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# run_side KEY LABEL FUNCTION ARGS...: one run of one side of a case; FUNCTION prints "WALL_MS [RSS_KIB
# [CLIENT_MS]]". A side that failed once is not run again; its case notes why.
run_side() {
    local key=$1 label=$2 v wall rss own
    shift 2
    [ -z "${FAILED[$key]:-}" ] || return 0
    if ! v=$("$@"); then
        FAILED[$key]=1
        NOTE[${key%%.*}]="${NOTE[${key%%.*}]:-}$label failed (logs: bench-out/logs); "
        return 0
    fi
    read -r wall rss own <<<"$v"
    WALLS[$key]="${WALLS[$key]:-} $wall"
    [ -n "$rss" ] && RSS[$key]="${RSS[$key]:-} $rss"
    [ -n "$own" ] && OWN[$key]="${OWN[$key]:-} $own"
    local extra=""
    [ -n "$rss" ] && extra=", peak RSS $(( rss / 1024 )) MiB"
    [ -n "$own" ] && extra="$extra, the client's own $own ms"
    log "  $label: $(seconds "$wall") s$extra"
}

wall_of() {
    # shellcheck disable=SC2086 # a list of figures
    [ -n "${WALLS[$1]:-}" ] && median ${WALLS[$1]} || true
}

# ---------------------------------------------------------------- data

# other work on this machine skews every figure below: say so in the results
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
if awk -v l="${LOAD_AT_START%% *}" 'BEGIN { exit !(l + 0 > 0.5) }' 2>/dev/null; then
    log "warning: load average $LOAD_AT_START before starting: other processes will skew the figures"
fi

DATA=$WORK/data
mkdir -p "$DATA"
log "generating $SIZE_MIB MiB and $START_KIB KiB of random data"
head -c "$SIZE_BYTES" /dev/urandom >"$DATA/$NAME"
head -c $(( START_KIB * 1024 )) /dev/urandom >"$DATA/$START_NAME"
chmod 644 "$DATA/$NAME" "$DATA/$START_NAME"
declare -A SIZE_OF=() SHA_OF=()
SIZE_OF[$NAME]=$SIZE_BYTES
SIZE_OF[$START_NAME]=$(( START_KIB * 1024 ))
SHA_OF[$NAME]=$(sha256_of "$DATA/$NAME")
SHA_OF[$START_NAME]=$(sha256_of "$DATA/$START_NAME")

# ---------------------------------------------------------------- one run of each kind

# curl_sha_run PORT NAME: curl | openssl dgst -sha256 of NAME from nginx, its digest checked; prints wall ms
curl_sha_run() {
    curl_sha_url "http://127.0.0.1:$1/$2" "$2"
}

# https_sha_run PORT NAME: the same over HTTPS, curl checking nginx's certificate (TLS_DIR/cert.pem)
https_sha_run() {
    curl_sha_url "https://127.0.0.1:$1/$2" "$2" --cacert "$TLS_DIR/cert.pem"
}

# curl_sha_url URL NAME [CURL ARGS...]: curl | openssl dgst -sha256 of URL, checked against NAME's; prints wall ms
curl_sha_url() {
    local url=$1 name=$2 start end digest
    shift 2
    start=$(now_ms)
    digest=$(curl -sS --fail --max-time 600 "$@" "$url" | openssl dgst -sha256) || return 1
    end=$(now_ms)
    [ "${digest##* }" = "${SHA_OF[$name]}" ] || { log "curl | openssl: $digest (expected: ${SHA_OF[$name]})"; return 1; }
    echo $(( end - start ))
}

# curl_run PORT NAME OUT: one curl download to OUT (/dev/null or a file, checked afterwards); prints wall ms
curl_run() {
    local port=$1 name=$2 out=$3 start end got
    rm -f "$WORK/out.bin"
    start=$(now_ms)
    got=$(curl -sS --fail --max-time 600 -o "$out" -w '%{size_download}' "http://127.0.0.1:$port/$name") || return 1
    end=$(now_ms)
    [ "$got" = "${SIZE_OF[$name]}" ] || { log "curl got $got bytes (expected: ${SIZE_OF[$name]})"; return 1; }
    if [ "$out" != /dev/null ]; then
        [ "$(sha256_of "$out")" = "${SHA_OF[$name]}" ] || { log "curl output differs from the source"; return 1; }
        rm -f "$out"
    fi
    echo $(( end - start ))
}

# java_version_run: the JVM's own start and exit; prints wall ms
java_version_run() {
    local start end
    start=$(now_ms)
    "$JAVA" -version 2>/dev/null || return 1
    end=$(now_ms)
    echo $(( end - start ))
}

# aria2_run PORT...: one aria2c -x4 -s4 download of NAME from the mirrors into a file, checked; prints wall ms
aria2_run() {
    local urls=() p start end
    for p in "$@"; do
        urls+=("http://127.0.0.1:$p/$NAME")
    done
    rm -f "$WORK/out.bin"
    start=$(now_ms)
    timeout --foreground 900 aria2c --no-conf -q --max-connection-per-server=4 --split=4 --min-split-size=1M \
        --file-allocation=none --allow-overwrite=true --auto-file-renaming=false --max-tries=3 --retry-wait=1 \
        -d "$WORK" -o out.bin "${urls[@]}" >>"$LOGS/aria2c.log" 2>&1 || { log "aria2c failed: $(tail -n 2 "$LOGS/aria2c.log" | tr '\n' ' ')"; return 1; }
    end=$(now_ms)
    [ "$(sha256_of "$WORK/out.bin")" = "${SHA_OF[$NAME]}" ] || { log "aria2c output differs from the source"; return 1; }
    rm -f "$WORK/out.bin"
    echo $(( end - start ))
}

# client_run MODE OUT NAME: one peer-client download (MODE: launcher or jar; OUT: a file, checked afterwards
# unless NAME has no known digest, or "null" for -o - into /dev/null); prints "WALL_MS RSS_KIB CLIENT_MS", the
# last being the client's own millis (its start to the end of its output, JVM start excluded). CLIENT_ARGS (an
# array, empty unless a caller sets it) are added to the client's options.
CLIENT_ARGS=()
client_run() {
    local mode=$1 out=$2 name=$3 stats=$WORK/stats.json start end rc=0 bytes cmd=("${CLIENT[@]}")
    [ "$mode" = jar ] && cmd=("${CLIENT_JAR[@]}")
    cmd+=("${CLIENT_ARGS[@]}")
    rm -f "$WORK/out.bin" "$WORK/out.bin.p2ps" "$stats" "$WORK/time.txt"
    start=$(now_ms)
    if [ "$out" = null ]; then
        /usr/bin/time -f %M -o "$WORK/time.txt" timeout --foreground 900 "${cmd[@]}" "$TRACKER" "$name" -o - \
            --no-progress --no-sha256 --stats-json "$stats" >/dev/null 2>>"$LOGS/peer-client.err" || rc=$?
    else
        /usr/bin/time -f %M -o "$WORK/time.txt" timeout --foreground 900 "${cmd[@]}" "$TRACKER" "$name" -o "$out" \
            --no-progress --no-sha256 --stats-json "$stats" >>"$LOGS/peer-client.out" 2>>"$LOGS/peer-client.err" \
            || rc=$?
    fi
    end=$(now_ms)
    if [ "$rc" != 0 ]; then
        log "peer-client exited $rc: $(tail -n 2 "$LOGS/peer-client.err" | tr '\n' ' ')"
        return 1
    fi
    [ -s "$stats" ] || { log "peer-client wrote no stats JSON"; return 1; }
    bytes=$(json_field bytes "$stats")
    [ "$bytes" = "${SIZE_OF[$name]}" ] || { log "peer-client delivered $bytes bytes (expected: ${SIZE_OF[$name]})"; return 1; }
    [ "$(json_field complete "$stats")" = true ] || { log "peer-client did not report a complete stream"; return 1; }
    [ "$(json_field hashFailures "$stats")" = 0 ] || { log "peer-client saw hash failures"; return 1; }
    if [ "$out" != null ]; then
        if [ -n "${SHA_OF[$name]:-}" ]; then
            [ "$(sha256_of "$out")" = "${SHA_OF[$name]}" ] || { log "peer-client's file differs from the source"; return 1; }
        fi
        rm -f "$out"
    fi
    echo "$(( end - start )) $(tail -n 1 "$WORK/time.txt") $(json_field millis "$stats")"
}

# share_dir N FILE...: a directory holding the data files for peer-server N (hard links: same bytes, own manifest
# cache)
share_dir() {
    local d=$WORK/share$1 f
    shift
    mkdir -p "$d"
    for f in "$@"; do
        ln "$f" "$d/" 2>/dev/null || cp "$f" "$d/"
    done
    echo "$d"
}

# start_peer_servers COUNT PREFIX FILE [ARGS...]: COUNT peer-servers sharing FILE; their pids in SERVER_PIDS
start_peer_servers() {
    local count=$1 prefix=$2 file=$3 n
    shift 3
    SERVER_PIDS=()
    for (( n = 1; n <= count; n++ )); do
        start_peer_server "$prefix$n" "$LOGS" "$(share_dir "$prefix$n" "$file")" "$@" || return 1
        SERVER_PIDS+=("$SERVER_PID")
        log "  peer-server on $SERVER_ADDRESS"
    done
}

stop_peer_servers() {
    local p
    for p in "${SERVER_PIDS[@]}"; do
        stop_pid "$p" 10
    done
    SERVER_PIDS=()
}

# ---------------------------------------------------------------- the cases

# case_fail CASES MESSAGE: notes MESSAGE for each case
case_fail() {
    local msg=$1 c
    shift
    log "$msg"
    for c in "$@"; do
        NOTE[$c]="${NOTE[$c]:-}$msg; "
    done
}

# (1), (2) and (4): one nginx and one peer-server, each serving the big and the start-up file
one_source() {
    local port i
    start_nginx ref-1 0 1 || { case_fail "nginx did not start" g1 g2 g4; return 0; }
    port=${NGINX_PORTS[0]}
    start_peer_servers 1 peer-server-1- "$DATA/$NAME" "${P12_ARGS[@]}" || { case_fail "$START_ERROR" g1 g2 g4; return 0; }
    ln "$DATA/$START_NAME" "$WORK/sharepeer-server-1-1/" 2>/dev/null || cp "$DATA/$START_NAME" "$WORK/sharepeer-server-1-1/"
    if ! wait_for_peers "$NAME" 1 60 || ! wait_for_peers "$START_NAME" 1 60; then
        case_fail "the tracker never listed the streams" g1 g2 g4
        return 0
    fi
    log "(1) one source, to /dev/null"
    for (( i = 1; i <= RUNS; i++ )); do
        run_side g1.ref "curl | openssl dgst -sha256" curl_sha_run "$port" "$NAME"
        run_side g1.raw "curl -o /dev/null" curl_run "$port" "$NAME" /dev/null
        run_side g1.p2p "peer-client -o -" client_run launcher null "$NAME"
    done
    log "(2) one source, to a file"
    for (( i = 1; i <= RUNS; i++ )); do
        run_side g2.ref "curl -o FILE" curl_run "$port" "$NAME" "$WORK/out.bin"
        run_side g2.p2p "peer-client -o FILE" client_run launcher "$WORK/out.bin" "$NAME"
    done
    log "(4) start-up: $START_KIB KiB"
    for (( i = 1; i <= RUNS; i++ )); do
        run_side g4.curl "curl -o /dev/null" curl_run "$port" "$START_NAME" /dev/null
        run_side g4.java "java -version" java_version_run
        run_side g4.p2p "$CLIENT_LABEL -o -" client_run launcher null "$START_NAME"
        [ "$CLIENT_LABEL" = "${CLIENT_JAR[*]}" ] \
            || run_side g4.jar "java -jar peer-client.jar -o -" client_run jar null "$START_NAME"
    done
    stop_peer_servers
    stop_pid "$NGINX_PID" 10
}

# (3): four servers on each side, uncapped (g3u) or each capped at RATE_MB (g3c)
four_sources() {
    local key=$1 rate=$2 args=()
    [ "$rate" -gt 0 ] && args=(--upload-limit "${RATE_MB}MB/s")
    if [ "$HAVE_ARIA2" = 0 ]; then
        case_fail "aria2c missing" "$key"
        return 0
    fi
    start_nginx "ref-$key" "$rate" "$MIRRORS" || { case_fail "nginx did not start" "$key"; return 0; }
    start_peer_servers "$MIRRORS" "peer-server-$key-" "$DATA/$NAME" "${args[@]}" "${P12_ARGS[@]}" \
        || { case_fail "$START_ERROR" "$key"; stop_pid "$NGINX_PID" 10; return 0; }
    if wait_for_peers "$NAME" "$MIRRORS" 60; then
        local i
        for (( i = 1; i <= RUNS; i++ )); do
            run_side "$key.ref" "aria2c -x4 -s4" aria2_run "${NGINX_PORTS[@]}"
            run_side "$key.p2p" "peer-client -o FILE" client_run launcher "$WORK/out.bin" "$NAME"
        done
    else
        case_fail "the tracker never listed $MIRRORS peers" "$key"
    fi
    stop_peer_servers
    stop_pid "$NGINX_PID" 10
}

# (5): a sparse file of MEM_GIB GiB (zeros: the chunks hash and travel like any others) to stdout and to a file
memory() {
    local big=$WORK/big/$BIG_NAME
    mkdir -p "$WORK/big"
    truncate -s "${MEM_GIB}G" "$big"
    SIZE_OF[$BIG_NAME]=$(( MEM_GIB * 1024 * 1024 * 1024 ))
    log "(5) memory: a $MEM_GIB GiB sparse file (the peer-server hashes it first)"
    start_peer_servers 1 peer-server-mem- "$big" "${P12_ARGS[@]}" || { case_fail "$START_ERROR" g5; return 0; }
    if wait_for_peers "$BIG_NAME" 1 600; then
        run_side g5.pipe "peer-client -o - ($MEM_GIB GiB)" client_run launcher null "$BIG_NAME"
        run_side g5.file "peer-client -o FILE ($MEM_GIB GiB)" client_run launcher "$WORK/out.bin" "$BIG_NAME"
    else
        case_fail "the tracker never listed $BIG_NAME" g5
    fi
    rm -f "$WORK/out.bin" "$WORK/out.bin.p2ps"
    stop_peer_servers
}

# (14): one source encrypted (the default) against nginx over HTTPS, and against a tracker, a peer-server and the
# client all given --plaintext (a tracker of their own: a client asking the default tracker would find both
# peer-servers), each run in turn: HTTPS, encrypted, plaintext
secure_one_source() {
    local port i main_tracker=$TRACKER main_tracker_pid=$TRACKER_PID plain_tracker_pid=""
    local -a enc_pids=() plain_pids=()
    # local: only this case's nginx speaks HTTPS
    local NGINX_TLS_CERT=$TLS_DIR/cert.pem NGINX_TLS_KEY=$TLS_DIR/key.pem
    start_nginx ref-14 0 1 || { case_fail "nginx over HTTPS did not start" g14; return 0; }
    port=${NGINX_PORTS[0]}
    TLS_SUITE=$(curl -sS -v --cacert "$NGINX_TLS_CERT" -r 0-0 -o /dev/null "https://127.0.0.1:$port/$NAME" 2>&1 \
        | sed -n 's/^\* SSL connection using //p' | head -n 1)
    log "  nginx over HTTPS on $port: ${TLS_SUITE:-protocol and cipher suite unknown}"
    start_peer_servers 1 peer-server-14-enc- "$DATA/$NAME" || { case_fail "$START_ERROR" g14; stop_pid "$NGINX_PID" 10; return 0; }
    enc_pids=("${SERVER_PIDS[@]}")
    mkdir -p "$LOGS/plaintext"
    if ! start_tracker "$LOGS/plaintext" --plaintext; then
        case_fail "p2pstream --plaintext: $START_ERROR" g14
        TRACKER=$main_tracker TRACKER_PID=$main_tracker_pid
    else
        PLAIN_TRACKER=$TRACKER plain_tracker_pid=$TRACKER_PID
        log "  tracker --plaintext on $PLAIN_TRACKER"
        if start_peer_servers 1 peer-server-14-plain- "$DATA/$NAME" --plaintext && wait_for_peers "$NAME" 1 60; then
            plain_pids=("${SERVER_PIDS[@]}")
        else
            case_fail "p2pstream --plaintext: ${START_ERROR:-the tracker never listed $NAME}" g14
        fi
        TRACKER=$main_tracker TRACKER_PID=$main_tracker_pid
    fi
    if wait_for_peers "$NAME" 1 60; then
        log "(14) one source, to /dev/null: HTTPS, encrypted, plaintext (load average $(cut -d' ' -f1-3 /proc/loadavg))"
        for (( i = 1; i <= RUNS; i++ )); do
            run_side g14.tls "nginx HTTPS + curl | openssl dgst -sha256" https_sha_run "$port" "$NAME"
            run_side g14.p2p "peer-client -o - (encrypted)" client_run launcher null "$NAME"
            if [ ${#plain_pids[@]} -gt 0 ]; then
                run_side g14.plain "peer-client -o - (all --plaintext)" plain_client_run null "$NAME"
            fi
        done
        LOAD_AFTER_SECURE=$(cut -d' ' -f1-3 /proc/loadavg)
        log "  load average after case 14: $LOAD_AFTER_SECURE"
    else
        case_fail "the tracker never listed $NAME" g14
    fi
    SERVER_PIDS=("${enc_pids[@]}" "${plain_pids[@]}")
    stop_peer_servers
    [ -n "$plain_tracker_pid" ] && stop_pid "$plain_tracker_pid" 10
    stop_pid "$NGINX_PID" 10
}

# plain_client_run OUT NAME: client_run with --plaintext, against the tracker started with --plaintext
plain_client_run() {
    local TRACKER=$PLAIN_TRACKER CLIENT_ARGS=(--plaintext)
    client_run launcher "$@"
}

run_cases() {
    local secure=() all=(g1 g2 g3u g3c g4 g5)
    [ "$RUN_SECURE" = 1 ] && secure=(g14) && all+=(g14)
    if [ -n "$P2P_MISSING" ]; then
        case_fail "p2pstream: missing$P2P_MISSING (run make build)" "${all[@]}"
        return 0
    fi
    if [ "$HAVE_NGINX" = 0 ] || [ "$HAVE_CURL" = 0 ] || [ "$HAVE_OPENSSL" = 0 ]; then
        case_fail "nginx, curl or openssl missing" g1 g2 g3u g3c g4 "${secure[@]}"
        return 0
    fi
    log "p2pstream: tracker"
    # a tracker that allows plaintext still speaks encrypted with those that do not (case 14's)
    start_tracker "$LOGS" "${P12_ARGS[@]}" || { case_fail "p2pstream: $START_ERROR" "${all[@]}"; return 0; }
    log "  tracker on $TRACKER"
    if [ "$RUN_ISSUE12" = 1 ]; then
        CLIENT_ARGS=("${P12_ARGS[@]}")
        one_source
        log "(3) $MIRRORS sources, uncapped"
        four_sources g3u 0
        log "(3) $MIRRORS sources, each capped at $RATE_MB MB/s"
        four_sources g3c "$RATE_BYTES"
        CLIENT_ARGS=()
    fi
    if [ "$RUN_SECURE" = 1 ]; then
        TLS_DIR=$WORK/tls
        if make_tls_cert "$TLS_DIR"; then
            secure_one_source
        else
            case_fail "no certificate for nginx over HTTPS" g14
        fi
    fi
    if [ "$RUN_ISSUE12" = 1 ] && [ "$MEM_GIB" -gt 0 ]; then
        CLIENT_ARGS=("${P12_ARGS[@]}")
        memory
        CLIENT_ARGS=()
    fi
    return 0
}
run_cases

# ---------------------------------------------------------------- table

# speed_row KEY GOAL CASE P2P_LABEL REF_LABEL REF_KEY GOAL_RATIO: the median walls of both sides, MB/s, and the
# speed ratio (reference wall / p2pstream wall) against its goal (none when GOAL_RATIO is empty: a cost measured)
speed_row() {
    local key=$1 goal=$2 case_label=$3 p2p_label=$4 ref_label=$5 ref_key=$6 want=$7 p2p ref r met note
    p2p=$(wall_of "$key.p2p")
    ref=$(wall_of "$ref_key")
    r=$(ratio "$ref" "$p2p")
    met=$(awk -v r="$r" -v w="$want" 'BEGIN { if (r == "n/a") print "n/a"; else print (r + 0 >= w + 0) ? "yes" : "no" }')
    [ -n "$want" ] && want=">= $want" || { want=none; met=-; }
    note=${NOTE[$key]:-}
    if [ -n "${OWN[$key.p2p]:-}" ]; then
        # shellcheck disable=SC2086 # lists of figures
        note="${note}the client's own time $(seconds "$(median ${OWN[$key.p2p]})") s, peak RSS $(( $(largest ${RSS[$key.p2p]}) / 1024 )) MiB; "
    fi
    if [ -n "${OWN[$ref_key]:-}" ]; then
        # shellcheck disable=SC2086 # lists of figures
        note="${note}the reference client's own time $(seconds "$(median ${OWN[$ref_key]})") s, peak RSS $(( $(largest ${RSS[$ref_key]}) / 1024 )) MiB; "
    fi
    note=${note%"; "}
    echo "| $goal | $case_label | $p2p_label | $(seconds "$p2p") | $(mbps "$SIZE_BYTES" "$p2p") | $ref_label | $(seconds "$ref") | $(mbps "$SIZE_BYTES" "$ref") | $r | $want | $met | $note |"
}

# start_row KEY LABEL: the client's wall against curl's plus java -version's (their medians), goal <= 1.5x
start_row() {
    local key=$1 label=$2 p2p curl java ref r met note
    p2p=$(wall_of "$key")
    curl=$(wall_of g4.curl)
    java=$(wall_of g4.java)
    ref=$( [ -n "$curl" ] && [ -n "$java" ] && awk -v a="$curl" -v b="$java" 'BEGIN { print a + b }' || true)
    r=$(ratio "$p2p" "$ref")
    met=$(awk -v r="$r" 'BEGIN { if (r == "n/a") print "n/a"; else print (r + 0 <= 1.5) ? "yes" : "no" }')
    note=${NOTE[g4]:-}
    # shellcheck disable=SC2086 # lists of figures
    [ -n "${OWN[$key]:-}" ] && note="${note}the client's own time $(seconds "$(median ${OWN[$key]})") s, peak RSS $(( $(largest ${RSS[$key]}) / 1024 )) MiB; "
    note=${note%"; "}
    echo "| 4 | start-up, $START_KIB KiB, -o - | $label | $(seconds "$p2p") | | curl $(seconds "$curl") s + java -version $(seconds "$java") s | $(seconds "$ref") | | $r | <= 1.5 | $met | $note |"
}

# memory_row KEY LABEL: the client's peak RSS against the bound
memory_row() {
    local key=$1 label=$2 rss met
    # shellcheck disable=SC2086 # a list of figures
    rss=$( [ -n "${RSS[$key]:-}" ] && echo $(( $(largest ${RSS[$key]}) / 1024 )) || true)
    met=$( [ -n "$rss" ] && { [ "$rss" -le "$MEM_BOUND_MIB" ] && echo yes || echo no; } || echo n/a)
    echo "| 5 | $MEM_GIB GiB sparse file, $label | ${rss:-n/a} | $MEM_BOUND_MIB | $met | $(seconds "$(wall_of "$key")") | ${NOTE[g5]:-} |"
}

# issue12_rows: the rows of cases 1-4
issue12_rows() {
    speed_row g1 1 "1 source, -o - to /dev/null" "1 peer-server + peer-client" "nginx + curl \| openssl dgst -sha256" g1.ref 1.0
    speed_row g1 1 "1 source, -o - to /dev/null" "1 peer-server + peer-client" "nginx + curl -o /dev/null (no hash)" g1.raw 0.3
    speed_row g2 2 "1 source, to a file" "1 peer-server + peer-client" "nginx + curl -o FILE" g2.ref 1.0
    speed_row g3u 3 "$MIRRORS sources, to a file" "$MIRRORS peer-servers + peer-client" "$MIRRORS nginx + aria2c -x4 -s4" g3u.ref 1.0
    speed_row g3c 3 "$MIRRORS sources x $RATE_MB MB/s, to a file" "$MIRRORS peer-servers + peer-client" "$MIRRORS nginx limit_rate + aria2c -x4 -s4" g3c.ref 1.0
    # the caps allow at best SIZE / (MIRRORS x RATE): the p2pstream side against that
    WALLS[g3c.cap]=$(awk -v b="$SIZE_BYTES" -v r="$(( MIRRORS * RATE_BYTES ))" 'BEGIN { printf "%d", b / r * 1000 }')
    speed_row g3c 3 "$MIRRORS sources x $RATE_MB MB/s, to a file" "$MIRRORS peer-servers + peer-client" "the sum of the caps, $MIRRORS x $RATE_MB MB/s" g3c.cap 0.95
    start_row g4.p2p "$CLIENT_LABEL"
    [ "$CLIENT_LABEL" = "${CLIENT_JAR[*]}" ] || start_row g4.jar "java -jar dist/peer-client.jar"
}

# memory_table: case 5
memory_table() {
    echo
    echo "Memory: the client's peak RSS (\`/usr/bin/time -f %M\`, one run each) with its default window (128 chunks"
    echo "of the stream's 256 KiB). The bound: the JVM and its heap (about 70 MiB for a 1 MiB stream) plus what the"
    echo "window holds, two windows' worth of chunks with -o - (the chunks ahead of the player and those kept behind"
    echo "it for peers: 64 MiB), and the connections' read buffers; compare the 1 GiB runs above."
    echo
    echo "| goal | case | peak RSS MiB | bound MiB | within | wall s | notes |"
    echo "|---|---|---:|---:|---|---:|---|"
    memory_row g5.pipe "-o - to /dev/null"
    memory_row g5.file "-o FILE"
}

RESULTS=$OUT/results.md
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
{
    echo "# p2pstream vs reference tools"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown cpu)), $(uname -r), $("$JAVA" -version 2>&1 | head -n 1)."
    echo "Load average before the run: $LOAD_AT_START, after its cases: $LOAD_AT_END (anything well above 0 means other processes shared the cores)."
    echo "Loopback (127.0.0.1), one $SIZE_MIB MiB random file in the page cache; each side run $RUNS times in turn with"
    echo "the other, the median reported; wall clock of the whole command, process start included; MB/s = 10^6 bytes/s."
    echo "p2pstream: \`$CLIENT_LABEL\`, every chunk verified against its manifest. Ratio: reference wall / p2pstream"
    echo "wall (>= 1 is at least as fast); start-up: p2pstream wall / reference wall. Caps: $RATE_MB MB/s = $RATE_BYTES"
    echo "bytes/s per server on both sides (nginx \`limit_rate\` per connection, aria2c one connection per mirror;"
    echo "peer-server \`--upload-limit ${RATE_MB}MB/s\` per process)."
    if [ ${#P12_ARGS[@]} -gt 0 ]; then
        echo "In goals 1-5 (issue 12, whose references speak plain HTTP) p2pstream's tracker, peer-servers and client all"
        echo "run \`--plaintext\`; in goal 14 p2pstream is encrypted (the default: a Noise XX handshake, then AES-256-GCM"
        echo "records of <= 16 KiB)."
    else
        echo "p2pstream is encrypted unless said otherwise (the default: a Noise XX handshake, then AES-256-GCM records of"
        echo "<= 16 KiB)."
    fi
    if [ "$RUN_SECURE" = 1 ]; then
        echo "Goal 14 (issue 14): nginx over HTTPS (${TLS_SUITE:-TLS 1.3}, a self-signed ECDSA P-256"
        echo "certificate; sendfile on, which TLS without kernel TLS does not use), curl --cacert; the plaintext row's"
        echo "reference is p2pstream with tracker, peer-server and client all given \`--plaintext\` (ratio < 1: what"
        echo "encryption costs). Load average after case 14: ${LOAD_AFTER_SECURE:-n/a}."
    fi
    echo
    echo "| goal | case | p2pstream | wall s | MB/s | reference | wall s | MB/s | ratio | goal | met | notes |"
    echo "|---|---|---|---:|---:|---|---:|---:|---:|---|---|---|"
    [ "$RUN_ISSUE12" = 1 ] && issue12_rows
    if [ "$RUN_SECURE" = 1 ]; then
        speed_row g14 14 "1 source, -o - to /dev/null, encrypted" "1 peer-server + peer-client (encrypted)" "nginx HTTPS + curl \| openssl dgst -sha256" g14.tls 1.0
        speed_row g14 14 "1 source, -o - to /dev/null, encrypted" "1 peer-server + peer-client (encrypted)" "the same, all --plaintext" g14.plain ""
    fi
    if [ "$RUN_ISSUE12" = 1 ] && [ "$MEM_GIB" -gt 0 ]; then
        memory_table
    fi
    echo
    echo "Versions: $("$NGINX" -v 2>&1 | head -n 1 || echo nginx missing); $(curl --version 2>/dev/null | head -n 1 | cut -d' ' -f1-2 || echo curl missing); $(aria2c --version 2>/dev/null | head -n 1 || echo aria2c missing); $(openssl version 2>/dev/null || echo openssl missing)."
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
        # a viewer's receive path (issue 12): read, frame, hash, store into memory, the payload read straight into
        # its pooled buffer or copied there; and the hash and the copy on their own
        log "JMH: ChunkReceiveBenchmark, ChunkStepsBenchmark -prof gc"
        timeout --foreground 1800 "$JAVA" -jar "$DIST/benchmarks.jar" -f 1 -wi 2 -i 3 -w 1s -r 2s -prof gc \
            -p store=memory -p verify=sha256 -rf json -rff "$OUT/jmh-receive.json" \
            'ChunkReceiveBenchmark|ChunkStepsBenchmark' >"$OUT/jmh-receive.txt" 2>&1 || jmh_ok=0
        {
            echo
            echo "## JMH (-f 1 -i 3 -r 2s; warm-up -wi 2 -w 1s, codec -wi 5 -w 1s)"
            echo
            echo "LoopbackTransferBenchmark: score in ops/s where one op is 1 MiB, i.e. MiB/s."
            echo "FrameCodecBenchmark: ns per encode + decode round trip, with -prof gc allocation."
            echo "ChunkReceiveBenchmark: a viewer's receive path over loopback, one op a 256 KiB chunk read, framed, hashed"
            echo "and kept by a memory store (\`-o -\`), its payload read straight into its pooled buffer (direct) or copied"
            echo "there from the read buffer (copy); gc.alloc.rate.norm is bytes allocated per chunk; cpuNanos / chunks"
            echo "(both summed over the iterations) the receiving thread's CPU per chunk, which other load skews less than"
            echo "the throughput. ChunkStepsBenchmark: the hash, and the framing with the copy, of one chunk in memory."
            echo
            echo '```'
            for f in "$OUT/jmh-transfer.txt" "$OUT/jmh-codec.txt" "$OUT/jmh-receive.txt"; do
                awk '/^Benchmark /{ p = 1 } p' "$f" | grep -vE ':gc\.(count|time)|:gc\.alloc\.rate +|^Benchmark result is saved|^$' \
                    || echo "(no result: see ${f#"$REPO_ROOT"/})"
                echo
            done
            # the receiving thread's CPU per chunk, from the two sums
            awk '$1 ~ /socket:(cpuNanos|chunks)$/ { split($1, m, ":"); for (i = 2; i < NF; i++) if ($i == "thrpt") break
                    v[$2, m[2]] = $(i + 2); r[$2] = 1 }
                END { for (k in r) if (v[k, "chunks"] > 0)
                    printf "receiving thread CPU per chunk, %s: %.0f us\n", k, v[k, "cpuNanos"] / v[k, "chunks"] / 1000 }' \
                "$OUT/jmh-receive.txt" | sort
            echo '```'
        } >>"$RESULTS"
        [ "$jmh_ok" = 1 ] || log "a JMH run failed: see bench-out/jmh-*.txt"
    else
        echo -e "\nJMH: dist/benchmarks.jar missing (run make build)." >>"$RESULTS"
    fi
fi

# ---------------------------------------------------------------- HTTP gateway (issue 13)

# curl through the gateway (fetching from one peer-server, and from its cache) against nginx, and the time to first
# byte of a seek into the uncached file (scripts/gateway-bench.sh, on the same data; about 2 minutes). It appends its
# own section to the results.
GATEWAY_RC=0
if [ "${BENCH_GATEWAY:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST BENCH_GATEWAY_FILE=$DATA/$NAME BENCH_RUNS=$RUNS "$REPO_ROOT/scripts/gateway-bench.sh" \
        || GATEWAY_RC=$?
fi

# ---------------------------------------------------------------- swarm (issue 3)

# N paced viewers and one origin capped at 2x the bitrate, against one capped nginx (scripts/swarm-bench.sh;
# about 6 minutes for 8, 16 and 32 viewers). It appends its own section to the results.
# With BENCH_SECURE, a second time in plaintext, the p2pstream side alone (about 2 minutes more).
SWARM_RC=0
if [ "${BENCH_SWARM:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST BENCH_PLAINTEXT=0 "$REPO_ROOT/scripts/swarm-bench.sh" || SWARM_RC=$?
    if [ "$RUN_SECURE" = 1 ]; then
        BENCH_OUT=$OUT DIST=$DIST BENCH_PLAINTEXT=1 BENCH_SWARM_REF="" "$REPO_ROOT/scripts/swarm-bench.sh" || SWARM_RC=$?
    fi
fi

# ---------------------------------------------------------------- live latency (issue 4)

# ffmpeg's test pattern published live, viewers chained 1, 2 and 3 relay hops from the publisher
# (scripts/live-bench.sh; about 40 s). It appends its own section to the results.
# With BENCH_SECURE, a second time in plaintext (about 40 s more), then both ways side by side
# (scripts/secure-compare.sh).
LIVE_RC=0
if [ "${BENCH_LIVE:-1}" != 0 ]; then
    BENCH_OUT=$OUT DIST=$DIST BENCH_PLAINTEXT=0 "$REPO_ROOT/scripts/live-bench.sh" || LIVE_RC=$?
    if [ "$RUN_SECURE" = 1 ]; then
        BENCH_OUT=$OUT DIST=$DIST BENCH_PLAINTEXT=1 "$REPO_ROOT/scripts/live-bench.sh" || LIVE_RC=$?
    fi
fi
if [ "$RUN_SECURE" = 1 ] && { [ "${BENCH_SWARM:-1}" != 0 ] || [ "${BENCH_LIVE:-1}" != 0 ]; }; then
    BENCH_OUT=$OUT "$REPO_ROOT/scripts/secure-compare.sh" || true
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
[ "$GATEWAY_RC" = 0 ] || die "the gateway benchmark failed (exit $GATEWAY_RC): see bench-out/gateway-logs"
[ "$SWARM_RC" = 0 ] || die "the swarm benchmark failed (exit $SWARM_RC): see bench-out/swarm-logs"
[ "$LIVE_RC" = 0 ] || die "the live benchmark failed (exit $LIVE_RC): see bench-out/live-logs"
[ "$TRACKER_RC" = 0 ] || die "the tracker benchmark failed (exit $TRACKER_RC): see bench-out/tracker-logs"
