# Helpers shared by scripts/demo.sh and scripts/bench.sh; sourced, not run.
#
# Every process started with start_bg is stopped by stop_all (TERM, then KILL after a grace period), which
# the scripts run from their EXIT trap; INT and TERM turn into an exit, so Ctrl-C cleans up too. Every wait
# has a deadline. Foreground commands run under `timeout --foreground`: plain `timeout` moves its command to a
# process group of its own, which a terminal's Ctrl-C would then not reach.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST:-$REPO_ROOT/dist}"
JAVA="${JAVA:-java}"

STARTED_PIDS=()
declare -A STARTED_NAMES=()
LAST_PID=""
CLEANUP_DIRS=()

log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

die() {
    log "error: $*"
    exit 1
}

now_ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# start_bg NAME LOGDIR CMD...: runs CMD in the background, stdout to LOGDIR/NAME.out, stderr to LOGDIR/NAME.err;
# its pid is in LAST_PID and it is stopped by stop_all.
start_bg() {
    local name=$1 logdir=$2
    shift 2
    "$@" >"$logdir/$name.out" 2>"$logdir/$name.err" </dev/null &
    LAST_PID=$!
    STARTED_PIDS+=("$LAST_PID")
    STARTED_NAMES[$LAST_PID]=$name
}

# snapshot_dist DIR: copies dist/*.jar to DIR and runs them from there, so that a rebuild of dist/ during a run
# (a make elsewhere in the same tree) cannot pull classes from under a running JVM.
snapshot_dist() {
    local to=$1 jar
    mkdir -p "$to"
    for jar in "$DIST"/*.jar; do
        [ -f "$jar" ] && cp "$jar" "$to/"
    done
    DIST=$to
}

alive() {
    kill -0 "$1" 2>/dev/null
}

# stop_pid PID [GRACE_SECONDS]: TERM, wait up to the grace period (default 10 s), then KILL; reaps it.
stop_pid() {
    local pid=$1 grace=${2:-10} deadline
    alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(now_ms) + grace * 1000 ))
    while alive "$pid" && [ "$(now_ms)" -lt "$deadline" ]; do
        sleep 0.1
    done
    if alive "$pid"; then
        log "${STARTED_NAMES[$pid]:-pid $pid} ignored TERM for ${grace}s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# stop_all: stops everything start_bg started, newest first, and removes the registered temp dirs.
stop_all() {
    local i pid
    for (( i=${#STARTED_PIDS[@]}-1; i>=0; i-- )); do
        pid=${STARTED_PIDS[$i]}
        alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
    done
    for (( i=${#STARTED_PIDS[@]}-1; i>=0; i-- )); do
        stop_pid "${STARTED_PIDS[$i]}" 10
    done
    STARTED_PIDS=()
    local d
    for d in "${CLEANUP_DIRS[@]}"; do
        [ -n "$d" ] && rm -rf -- "$d"
    done
    CLEANUP_DIRS=()
}

# wait_for_line PID FILE REGEX SECONDS: waits until FILE has a line matching REGEX (extended), prints the first
# such line. Fails when PID exits first or the deadline passes.
wait_for_line() {
    local pid=$1 file=$2 regex=$3 seconds=$4 deadline line
    deadline=$(( $(now_ms) + seconds * 1000 ))
    while :; do
        line=$(grep -m1 -E -- "$regex" "$file" 2>/dev/null || true)
        if [ -n "$line" ]; then
            printf '%s\n' "$line"
            return 0
        fi
        if ! alive "$pid"; then
            return 1
        fi
        if [ "$(now_ms)" -ge "$deadline" ]; then
            return 2
        fi
        sleep 0.1
    done
}

# why_not_started NAME LOGDIR STATUS: one line on why a process did not print its ready line.
why_not_started() {
    local name=$1 logdir=$2 status=$3 last
    last=$(grep -v '^[[:space:]]*$' "$logdir/$name.err" 2>/dev/null | tail -n 3 | tr '\n' ' ' || true)
    if [ "$status" = 2 ]; then
        echo "$name: no ready line before the deadline${last:+; stderr: $last}"
    else
        echo "$name: exited before it was ready${last:+; stderr: $last}"
    fi
}

# start_tracker LOGDIR [EXTRA ARGS...]: starts dist/tracker.jar on 127.0.0.1 port 0 (JVM options in TRACKER_JAVA_OPTS);
# sets TRACKER (host:port) and TRACKER_PID, or returns 1 with the reason in START_ERROR.
start_tracker() {
    local logdir=$1 line status=0
    shift
    TRACKER="" TRACKER_PID="" START_ERROR=""
    # shellcheck disable=SC2086 # TRACKER_JAVA_OPTS is a list of options
    start_bg tracker "$logdir" "$JAVA" ${TRACKER_JAVA_OPTS:-} -jar "$DIST/tracker.jar" 127.0.0.1 --port 0 "$@"
    TRACKER_PID=$LAST_PID
    line=$(wait_for_line "$LAST_PID" "$logdir/tracker.out" '^tracker listening on ' 60) || status=$?
    if [ "$status" != 0 ]; then
        START_ERROR=$(why_not_started tracker "$logdir" "$status")
        return 1
    fi
    TRACKER=${line#tracker listening on }
    TRACKER=${TRACKER%%[ ,]*}
}

# start_peer_server NAME LOGDIR DIR [EXTRA ARGS...]: starts dist/peer-server.jar sharing DIR on 127.0.0.1 port 0
# with the tracker in TRACKER; sets SERVER_ADDRESS and SERVER_PID, or returns 1 with START_ERROR.
start_peer_server() {
    local name=$1 logdir=$2 dir=$3 line status=0
    shift 3
    SERVER_ADDRESS="" SERVER_PID="" START_ERROR=""
    start_bg "$name" "$logdir" "$JAVA" -jar "$DIST/peer-server.jar" 127.0.0.1 --port 0 --tracker "$TRACKER" --dir "$dir" "$@"
    SERVER_PID=$LAST_PID
    # hashing a new file takes a while: allow for slow disks
    line=$(wait_for_line "$SERVER_PID" "$logdir/$name.out" '^peer-server listening on ' 180) || status=$?
    if [ "$status" != 0 ]; then
        START_ERROR=$(why_not_started "$name" "$logdir" "$status")
        return 1
    fi
    SERVER_ADDRESS=${line#peer-server listening on }
    SERVER_ADDRESS=${SERVER_ADDRESS%%[ ,]*}
}

# list_peers NAME: the number of peers the tracker lists for stream NAME (empty if it lists none).
# peer-client --list --json prints one stream per line: {"name": "...", "contentId": ..., "peers": N, ...}.
list_peers() {
    local name=$1
    timeout --foreground 30 "$JAVA" -jar "$DIST/peer-client.jar" "$TRACKER" --list --json 2>/dev/null \
        | awk -v n="{\"name\": \"$name\"," 'index($0, n) { sub(/.*"peers": /, ""); sub(/[^0-9].*/, ""); print; exit }' || true
}

# wait_for_peers NAME COUNT SECONDS: waits until the tracker lists NAME with exactly COUNT peers.
wait_for_peers() {
    local name=$1 want=$2 seconds=$3 deadline got=""
    deadline=$(( $(now_ms) + seconds * 1000 ))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        got=$(list_peers "$name")
        if [ "$got" = "$want" ]; then
            return 0
        fi
        sleep 0.5
    done
    log "tracker lists $name with ${got:-no} peers after ${seconds}s (expected: $want)"
    return 1
}

# json_field KEY FILE: a top-level string or number from a stats JSON file (the peers array is skipped).
json_field() {
    tr -d '\n' <"$2" \
        | sed -e 's/"peers"[[:space:]]*:[[:space:]]*\[[^]]*\]//' \
        | grep -oE "\"$1\"[[:space:]]*:[[:space:]]*(\"[^\"]*\"|[-0-9.eE+]+|true|false|null)" \
        | head -n 1 | sed -e 's/^[^:]*:[[:space:]]*//' -e 's/"//g' || true
}

# json_peers FILE: "address bytes" per line from a stats JSON file's peers array.
json_peers() {
    tr -d '\n' <"$1" \
        | grep -oE '\{[[:space:]]*"address"[[:space:]]*:[[:space:]]*"[^"]*"[[:space:]]*,[[:space:]]*"bytes"[[:space:]]*:[[:space:]]*[0-9]+' \
        | sed -E 's/.*"address"[[:space:]]*:[[:space:]]*"([^"]*)".*"bytes"[[:space:]]*:[[:space:]]*([0-9]+)/\1 \2/' || true
}

sha256_of() {
    sha256sum "$1" | awk '{ print $1 }'
}

# ---------------------------------------------------------------- demos (demo.sh, demo-live.sh)

# demo_traps: on exit stop everything started and print "PASS: $PASS_MESSAGE" when RESULT=PASS, else the logs
# directory ($LOGS) and "FAIL: reason" (from fail REASON, or the exit status), exiting non-zero; Ctrl-C and TERM
# end the same way.
demo_traps() {
    RESULT=FAIL
    trap _demo_on_exit EXIT
    trap 'FAIL_REASON="interrupted"; exit 130' INT
    trap 'FAIL_REASON="terminated"; exit 143' TERM
}

_demo_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    if [ "$RESULT" = PASS ]; then
        echo "PASS: $PASS_MESSAGE"
    else
        [ -d "$LOGS" ] && echo "logs: ${LOGS#"$REPO_ROOT"/}/" >&2
        echo "FAIL: ${FAIL_REASON:-interrupted or failed (status $rc)}"
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}

# fail REASON: ends a demo with FAIL: REASON.
fail() {
    FAIL_REASON=$1
    exit 1
}

# ---------------------------------------------------------------- live streams (demo-live.sh, live-bench.sh)

# start_live NAME LOGDIR SECONDS VIDEO_BITRATE [PEER-SERVER ARGS...]: ffmpeg encodes a test pattern with a tone
# (MPEG-2 video, MP2 audio, MPEG-TS) in real time for SECONDS into a FIFO that dist/peer-server.jar --live NAME
# publishes (tracker in TRACKER, key in LOGDIR); sets PUBLISHER_PID, PUBLISHER_ADDRESS, or returns 1 with
# START_ERROR. Needs ffmpeg (ensure_tools ffmpeg:ffmpeg).
start_live() {
    local name=$1 logdir=$2 seconds=$3 bitrate=$4 fifo line status=0
    shift 4
    fifo=$logdir/$(echo "$name" | tr '/' '_').ts.fifo
    rm -f "$fifo"
    mkfifo "$fifo"
    start_bg "publisher" "$logdir" "$JAVA" -jar "$DIST/peer-server.jar" 127.0.0.1 --port 0 --tracker "$TRACKER" \
        --live "$name" --input "$fifo" --key "$logdir/publisher.key" "$@"
    PUBLISHER_PID=$LAST_PID
    start_bg "ffmpeg" "$logdir" ffmpeg -hide_banner -loglevel error -re -f lavfi -i "testsrc=size=640x360:rate=25" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$seconds" -c:v mpeg2video -b:v "$bitrate" -c:a mp2 \
        -b:a 128k -f mpegts -y "$fifo"
    line=$(wait_for_line "$PUBLISHER_PID" "$logdir/publisher.out" '^peer-server listening on ' 60) || status=$?
    if [ "$status" != 0 ]; then
        START_ERROR=$(why_not_started publisher "$logdir" "$status")
        return 1
    fi
    PUBLISHER_ADDRESS=${line#peer-server listening on }
    PUBLISHER_ADDRESS=${PUBLISHER_ADDRESS%%[ ,]*}
}

# live_row LABEL STATS_JSON: one markdown table row of a live viewer's figures.
live_row() {
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n' "$1" "$(json_field startupMillis "$2")" \
        "$(json_field p50 "$2")" "$(json_field p99 "$2")" "$(json_field max "$2")" "$(json_field firstChunk "$2")" \
        "$(json_field chunks "$2")" "$(json_field skipped "$2")" "$(json_field continuity "$2")" \
        "$(json_field chunksFromPublisher "$2")" "$(json_field chunksFromViewers "$2")" "$(json_field chunksBeforeFirst "$2")"
}

# The columns of live_row. A viewer writes from its first chunk (where it joined) on: first chunk + written + skipped
# = the chunks published. It receives what it writes, plus the chunks it fetched while looking back for where to join
# that turned out older than its first (and any skipped chunk that came all the same: skippedReceived).
LIVE_HEADER='| viewer | start-up ms | latency p50 ms | p99 ms | max ms | first chunk | chunks written | skipped | continuity | received from publisher / viewers | received before the first |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|'

# ---------------------------------------------------------------- reference tools (bench.sh, swarm-bench.sh)

NGINX=$(command -v nginx || echo /usr/sbin/nginx)

have_cmd() {
    command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]
}

# ensure_tools CMD:PACKAGE...: installs the Debian packages for the missing commands; fails with a message when
# it cannot. apt-get's output goes to OUT/apt.log (OUT defaults to bench-out).
ensure_tools() {
    local spec missing=() apt_log=${OUT:-$REPO_ROOT/bench-out}/apt.log
    for spec in "$@"; do
        have_cmd "${spec%%:*}" || missing+=("${spec#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        log "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root on Debian"
        return 1
    fi
    mkdir -p "$(dirname "$apt_log")"
    log "installing ${missing[*]} with apt-get (log: ${apt_log#"$REPO_ROOT"/})"
    # keep the packages' init scripts from starting a system nginx on port 80
    local policy_added=0 rc=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_added=1
    fi
    {
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -o DPkg::Lock::Timeout=120 update -qq \
            && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=120 install -y -qq \
                --no-install-recommends "${missing[@]}"
    } >"$apt_log" 2>&1 || rc=$?
    [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
    if [ "$rc" != 0 ]; then
        log "apt-get failed ($rc): $(tail -n 2 "$apt_log" | tr '\n' ' ')"
        return 1
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# start_nginx NAME RATE_BYTES PORT_COUNT: one nginx serving NGINX_ROOT (default: $DATA) on PORT_COUNT free
# loopback ports (one server block each; limit_rate RATE_BYTES per connection unless 0), with its files in
# $WORK/NAME and its stdout/stderr in $LOGS. Optional extra configuration lines: NGINX_HTTP_EXTRA (in the http
# block), NGINX_SERVER_EXTRA (in every server block). With NGINX_TLS_CERT and NGINX_TLS_KEY (PEM files, see
# make_tls_cert) every port speaks HTTPS: TLS 1.3 with an AES-GCM suite (TLS 1.2 with ECDHE-ECDSA AES-GCM for an
# older client). Ready once every port serves the first byte of NGINX_PROBE (default: $NAME). Sets NGINX_PORTS and
# NGINX_PID; retries on a port clash.
start_nginx() {
    local name=$1 rate=$2 count=$3 attempt dir conf i p ports status
    dir=$WORK/$name
    mkdir -p "$dir"
    for attempt in 1 2 3 4 5; do
        ports=()
        for (( i = 0; i < count; i++ )); do
            p=$(free_port) || die "no free loopback port"
            ports+=("$p")
        done
        conf=$dir/nginx.conf
        {
            echo "worker_processes auto;"
            echo "daemon off;"
            echo "pid $dir/nginx.pid;"
            echo "error_log $dir/error.log warn;"
            echo "events { worker_connections 256; }"
            echo "http {"
            echo "    access_log off;"
            echo "    sendfile on;"
            echo "    tcp_nopush on;"
            echo "    default_type application/octet-stream;"
            echo "    client_body_temp_path $dir/client_body;"
            echo "    proxy_temp_path $dir/proxy;"
            echo "    fastcgi_temp_path $dir/fastcgi;"
            echo "    uwsgi_temp_path $dir/uwsgi;"
            echo "    scgi_temp_path $dir/scgi;"
            [ -n "${NGINX_HTTP_EXTRA:-}" ] && printf '    %s\n' "$NGINX_HTTP_EXTRA"
            if [ -n "${NGINX_TLS_CERT:-}" ]; then
                # sendfile stays on, but without kernel TLS nginx reads the file and encrypts in OpenSSL
                echo "    ssl_certificate $NGINX_TLS_CERT;"
                echo "    ssl_certificate_key $NGINX_TLS_KEY;"
                echo "    ssl_protocols TLSv1.2 TLSv1.3;"
                echo "    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256;"
                echo "    ssl_conf_command Ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256;"
            fi
            for p in "${ports[@]}"; do
                echo "    server {"
                echo "        listen 127.0.0.1:$p${NGINX_TLS_CERT:+ ssl};"
                echo "        root ${NGINX_ROOT:-$DATA};"
                [ "$rate" -gt 0 ] && echo "        limit_rate $rate;"
                [ -n "${NGINX_SERVER_EXTRA:-}" ] && printf '        %s\n' "$NGINX_SERVER_EXTRA"
                echo "    }"
            done
            echo "}"
        } >"$conf"
        start_bg "$name" "$LOGS" "$NGINX" -p "$dir" -e "$dir/error.log" -c "$conf"
        NGINX_PID=$LAST_PID
        status=0
        wait_nginx "$NGINX_PID" "${ports[@]}" || status=$?
        if [ "$status" = 0 ]; then
            NGINX_PORTS=("${ports[@]}")
            return 0
        fi
        stop_pid "$NGINX_PID" 5
        log "$name did not start on ${ports[*]} (attempt $attempt): $(tail -n 1 "$dir/error.log" 2>/dev/null || true)"
    done
    return 1
}

# free_port: a loopback port below the ephemeral range that nothing answers on now.
free_port() {
    local i p
    for i in $(seq 1 100); do
        p=$(( 20000 + RANDOM % 12000 ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# wait_nginx PID PORT...: until every port serves the first byte of NGINX_PROBE (default: $NAME) (15 s), or
# nginx exits. Over HTTPS, checking the certificate, when NGINX_TLS_CERT is set.
wait_nginx() {
    local pid=$1 deadline p url=http tls=()
    shift
    [ -n "${NGINX_TLS_CERT:-}" ] && url=https tls=(--cacert "$NGINX_TLS_CERT")
    deadline=$(( $(now_ms) + 15000 ))
    for p in "$@"; do
        until curl -sf "${tls[@]}" -o /dev/null --max-time 2 -r 0-0 "$url://127.0.0.1:$p/${NGINX_PROBE:-$NAME}"; do
            alive "$pid" || return 1
            [ "$(now_ms)" -lt "$deadline" ] || return 2
            sleep 0.1
        done
    done
}

# make_tls_cert DIR: a self-signed ECDSA P-256 certificate for 127.0.0.1, valid for a day, in DIR/cert.pem with its
# key in DIR/key.pem (for nginx over HTTPS, and curl --cacert DIR/cert.pem). Needs openssl.
make_tls_cert() {
    local dir=$1
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/cert.pem" >"$dir/openssl.log" 2>&1 \
        || { log "openssl could not make a certificate: $(tail -n 2 "$dir/openssl.log" | tr '\n' ' ')"; return 1; }
}

# put_section RESULTS SECTION_FILE: appends SECTION_FILE (its first line is its "## " title) to RESULTS, replacing a
# section of the same title that an earlier run left there (everything else in RESULTS stays), and prints it.
put_section() {
    local results=$1 section=$2 title kept
    title=$(head -n 1 "$section")
    if [ -f "$results" ]; then
        kept=$(mktemp "${TMPDIR:-/tmp}/p2pstream-results.XXXXXX")
        awk -v title="$title" '$0 == title { skip = 1; next } skip && /^##? / { skip = 0 } !skip { line[++n] = $0 }
            END { while (n > 0 && line[n] == "") n--; for (i = 1; i <= n; i++) print line[i]; if (n > 0) print "" }' \
            "$results" >"$kept"
        cp "$kept" "$results"
        rm -f "$kept"
    fi
    cat "$section" >>"$results"
    echo
    cat "$section"
    echo
    log "appended to ${results#"$REPO_ROOT"/}"
}

# clean_up_work_on_exit: on exit, Ctrl-C or TERM, stop everything started and remove $WORK (kept with
# BENCH_KEEP=1), keeping the script's exit status.
clean_up_work_on_exit() {
    trap _clean_up_work EXIT
    trap 'log "interrupted"; exit 130' INT
    trap 'log "terminated"; exit 143' TERM
}

_clean_up_work() {
    local rc=$?
    trap - EXIT INT TERM
    stop_all
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf -- "$WORK"
    fi
    exit "$rc"
}
