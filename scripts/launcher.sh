#!/usr/bin/env bash
# launcher.sh [DIST]: writes DIST/peer-client (default dist/), a launcher that runs DIST/peer-client.jar with a
# class-data sharing archive (AppCDS, DIST/peer-client.jsa), and builds that archive from a training run: a
# tracker, a peer-server sharing a 4 MiB file and the client fetching it to stdout and to a file, with
# -XX:DumpLoadedClassList; then `java -Xshare:dump` maps the classes they loaded (the JDK's, picocli's, ours, and
# the lambda and method-handle classes) into the archive, so a start reads them parsed and verified.
#
# Run by `make` after the jars are built, and by scripts/bench.sh on its copy of dist/. `java -jar
# dist/peer-client.jar` works as before, without the archive. The archive holds for the JVM that dumped it and the
# jar at that path with that modification time: after a rebuild or a move the launcher still runs, without it
# (the JVM checks and falls back silently), until this script runs again.
#
# Knobs (environment): JAVA (java).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGET=$(cd "${1:-$DIST}" && pwd)
for jar in tracker peer-server peer-client; do
    [ -f "$TARGET/$jar.jar" ] || die "$TARGET/$jar.jar missing (build it first: make)"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-launcher.XXXXXX")
LOGS=$WORK/logs
mkdir -p "$LOGS" "$WORK/share"
clean_up_work_on_exit
DIST=$TARGET

# the launcher: the archive's JVM options, then whatever JAVA_OPTS adds; JVM warnings go to stderr, never into
# a stream written to stdout. C2 keeps the JVM's default thresholds: at 3x them (issue 12) a plaintext 1 GiB run
# spent 0.22 instead of 0.39-0.53 CPU-s in C2, but with the secure transport on by default the records' AES-GCM and
# GHASH must reach C2 early: 1 GiB encrypted -o -, alternating, load 1.5: 4.35-5.39 s with the defaults against
# 4.64-6.12 s at 3x.
cat >"$TARGET/peer-client" <<'EOF'
#!/bin/sh
# peer-client: runs peer-client.jar beside this file with its class-data sharing archive (peer-client.jsa, built
# by scripts/launcher.sh), which makes start-up shorter. Extra JVM options: JAVA_OPTS. Same arguments as
# `java -jar peer-client.jar`.
dir=$(dirname "$(readlink -f "$0")")
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:SharedArchiveFile="$dir/peer-client.jsa" -Xshare:auto \
    -Xlog:disable -Xlog:all=warning:stderr ${JAVA_OPTS:-} -jar "$dir/peer-client.jar" "$@"
EOF
chmod 755 "$TARGET/peer-client"

log "training run for the class-data archive"
head -c $(( 4 * 1024 * 1024 )) /dev/urandom >"$WORK/share/train.bin"
start_tracker "$LOGS" || die "$START_ERROR"
start_peer_server peer-server "$LOGS" "$WORK/share" || die "$START_ERROR"
wait_for_peers train.bin 1 30 || die "the tracker never listed the training stream"
# -o - and -o FILE load different classes (the memory store, the file store and its record): both go in
timeout --foreground 120 "$JAVA" -XX:DumpLoadedClassList="$WORK/pipe.classes" -jar "$TARGET/peer-client.jar" \
    "$TRACKER" train.bin -o - --no-progress --stats-json "$WORK/pipe.json" >/dev/null 2>>"$LOGS/client.err" \
    || die "training run (-o -) failed: $(tail -n 2 "$LOGS/client.err" | tr '\n' ' ')"
timeout --foreground 120 "$JAVA" -XX:DumpLoadedClassList="$WORK/file.classes" -jar "$TARGET/peer-client.jar" \
    "$TRACKER" train.bin -o "$WORK/train.out" --no-progress --stats-json "$WORK/file.json" >/dev/null \
    2>>"$LOGS/client.err" || die "training run (-o FILE) failed: $(tail -n 2 "$LOGS/client.err" | tr '\n' ' ')"
stop_all
cat "$WORK/pipe.classes" "$WORK/file.classes" | awk '/^#/ || !seen[$0]++' >"$WORK/all.classes"

log "dumping $(grep -vc '^[#@]' "$WORK/all.classes") classes into ${TARGET#"$REPO_ROOT"/}/peer-client.jsa"
rm -f "$TARGET/peer-client.jsa"
# picocli's classes are Java 5 class files: the static archive takes them (a dynamic one would not); a few
# interfaces the dump links early are left out, with a warning each, which is why the output goes to the log
"$JAVA" -Xshare:dump -XX:SharedClassListFile="$WORK/all.classes" -XX:SharedArchiveFile="$TARGET/peer-client.jsa" \
    -cp "$TARGET/peer-client.jar" >"$LOGS/dump.log" 2>&1 \
    || die "java -Xshare:dump failed: $(tail -n 3 "$LOGS/dump.log" | tr '\n' ' ')"
"$TARGET/peer-client" --version >/dev/null || die "$TARGET/peer-client --version failed"
log "wrote ${TARGET#"$REPO_ROOT"/}/peer-client and peer-client.jsa"
