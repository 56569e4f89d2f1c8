#!/usr/bin/env bash
# Runs every hostile case RUNS times against real servers on loopback and writes docs/ROBUSTNESS.md from what
# the runs measured. The cases are the tests marked @HostileCase (JUnit tag "hostile") in every module: floods of
# connections and frames, slow, silent and greedy peers, hostile HTTP clients (slowloris, oversized heads, floods,
# never reading), the tracker killed and restarted, a full disk, shared files truncated or deleted. Each run appends its outcome and figures to
# target/robustness/*.tsv; scripts/RobustnessTable.java turns them into the table.
#
# Run by `make robustness`. Knobs (environment): RUNS (5), ROBUSTNESS_OUT (docs/ROBUSTNESS.md). Exits 1 when a
# run failed (the table still shows it). About 40 s per run on 2 cores, plus the build.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
RUNS=${RUNS:-5}
OUT=${ROBUSTNESS_OUT:-docs/ROBUSTNESS.md}
RECORDS="$REPO_ROOT/target/robustness"
MVN=${MVN:-mvn}

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS: $RUNS (expected: a positive number)" >&2; exit 2; }
rm -rf "$RECORDS"
mkdir -p "$RECORDS"
# failures are not fatal here: every run is recorded, and the table says which failed
"$MVN" -B -ntp -Dstyle.color=never verify -Dgroups=hostile -Dsurefire.failIfNoSpecifiedTests=false \
    -Dmaven.test.failure.ignore=true -Dp2pstream.hostile.runs="$RUNS" -Dp2pstream.hostile.out="$RECORDS" 2>&1 \
    | grep --line-buffered -E 'Tests run:|FAIL|BUILD|ERROR\]' || true

machine="$(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
status=0
java scripts/RobustnessTable.java "$RECORDS" "$RUNS" "$machine" "$commit" > "$OUT.tmp" || status=$?
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT from $(cat "$RECORDS"/*.tsv | wc -l) runs"
if [[ $status -ne 0 ]]; then
    echo "some hostile runs failed or are missing: see $OUT" >&2
fi
exit "$status"
