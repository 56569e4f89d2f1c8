#!/usr/bin/env bash
# launcher.sh [DIST]: writes DIST/peer-client (default dist/), a launcher that runs DIST/peer-client.jar with a
# class-data sharing archive (AppCDS, DIST/peer-client.jsa) and the JIT settings of DIST/peer-client.jit (why:
# below), and builds that archive from a training run: a
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

# the launcher: the archive's JVM options, the JIT's (below), then whatever JAVA_OPTS adds; JVM warnings go to
# stderr, never into a stream written to stdout.
cat >"$TARGET/peer-client" <<'EOF'
#!/bin/sh
# peer-client: runs peer-client.jar beside this file with its class-data sharing archive (peer-client.jsa, built
# by scripts/launcher.sh), which makes start-up shorter, and the JIT settings of peer-client.jit. Extra JVM
# options: JAVA_OPTS. Same arguments as `java -jar peer-client.jar`.
dir=$(dirname "$(readlink -f "$0")")
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -XX:SharedArchiveFile="$dir/peer-client.jsa" -Xshare:auto \
    -XX:CompileThresholdScaling=3 -XX:CompileCommandFile="$dir/peer-client.jit" \
    -Xlog:disable -Xlog:all=warning:stderr ${JAVA_OPTS:-} -jar "$dir/peer-client.jar" "$@"
EOF
# The JIT (issues 12 and 14): C2 at 3x its default thresholds, so fewer methods pay its compile; the verify and
# record paths at 1/20 of them, because the JDK's AES-GCM, GHASH and SHA-256 run at full speed only from
# C2-compiled callers (C2 alone uses their intrinsics) and until then run as slow Java; and the cipher's calls are
# not inlined into the read and write loops, so C2 compiles them once instead of into every caller. 1 GiB -o - from
# one peer-server, 4 runs each in turn, load about 1: encrypted 4.78-5.20 s wall and 3.0-3.4 s of C2 with the JVM's
# defaults against 4.31-4.75 s and 2.0-2.2 s; plaintext 2.14-2.44 s (C2 0.95-1.20 s) against 2.10-2.47 s
# (0.38-0.67 s). `quiet` first: CompileCommand otherwise prints each line to stdout, into the stream.
cat >"$TARGET/peer-client.jit" <<'EOF'
quiet
CompileThresholdScaling,com.sun.crypto.provider.*::*,0.05
CompileThresholdScaling,javax.crypto.Cipher::*,0.05
CompileThresholdScaling,p2pstream.common.noise.*::*,0.05
CompileThresholdScaling,sun.security.provider.SHA2::*,0.05
CompileThresholdScaling,sun.security.provider.DigestBase::*,0.05
CompileThresholdScaling,java.security.MessageDigest*::*,0.05
dontinline,javax.crypto.Cipher::doFinal
dontinline,javax.crypto.Cipher::init
dontinline,p2pstream.common.noise.CipherState::*
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
