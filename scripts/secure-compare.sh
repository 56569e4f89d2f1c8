#!/usr/bin/env bash
# secure-compare.sh: the swarm and live figures with encryption on (the default) beside the same runs with every
# p2pstream process in plaintext (issue 14: they should stay within 10% of each other), from what
# scripts/swarm-bench.sh and scripts/live-bench.sh left in bench-out: swarm-logs/ and swarm-logs-plaintext/
# (swarm-N.json, swarm-N.time), live-logs/ and live-logs-plaintext/ (hop-N.json). Appends the section
# "## Encryption cost, swarm and live (issue 14)" to bench-out/results.md (replacing one an earlier run left).
#
# Run by scripts/bench.sh after both ways of each; alone after
#   scripts/swarm-bench.sh; BENCH_PLAINTEXT=1 BENCH_SWARM_REF= scripts/swarm-bench.sh
#   scripts/live-bench.sh; BENCH_PLAINTEXT=1 scripts/live-bench.sh
# Knobs (environment): BENCH_OUT (bench-out).
set -euo pipefail
export LC_ALL=C

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT=${BENCH_OUT:-$REPO_ROOT/bench-out}
RESULTS=$OUT/results.md
WORK=$(mktemp -d "${TMPDIR:-/tmp}/p2pstream-secure.XXXXXX")
clean_up_work_on_exit

# cell ENCRYPTED PLAINTEXT: "E / P (+D%)", D the encrypted figure's difference from the plaintext one
cell() {
    awk -v e="$1" -v p="$2" 'BEGIN {
        if (e == "" || p == "" || e == "n/a" || p == "n/a" || e == -1 || p == -1) { printf "%s / %s", (e == "" ? "n/a" : e), (p == "" ? "n/a" : p); exit }
        if (p + 0 == 0) { printf "%s / %s", e, p; exit }
        printf "%s / %s (%+.0f%%)", e, p, (e - p) / p * 100 }'
}

# cpu_of TIME_FILE: user + system seconds from a /usr/bin/time -f '%U %S %e' file, empty if none
cpu_of() {
    [ -s "$1" ] && tail -n 1 "$1" | awk 'NF >= 3 { printf "%.1f", $1 + $2 }' || true
}

SECTION=$WORK/secure.md
{
    echo "## Encryption cost, swarm and live (issue 14)"
    echo
    echo "Each cell: encrypted (the default) / plaintext (every p2pstream process as with \`--plaintext\`) (the encrypted"
    echo "figure's difference from the plaintext one). The two swarm runs and the two live runs follow each other in the"
    echo "same \`make bench\`; see their own sections for the load averages. Issue 14's aim: within 10%."
    echo
    enc=$OUT/swarm-logs plain=$OUT/swarm-logs-plaintext
    rows=""
    for json in "$enc"/swarm-*.json; do
        [ -s "$json" ] || continue
        n=${json##*/swarm-}
        n=${n%.json}
        other=$plain/swarm-$n.json
        [ -s "$other" ] || continue
        rows="$rows$n| $n | $(json_field atTarget "$json") / $(json_field atTarget "$other") of $n"
        rows="$rows | $(cell "$(json_field continuityMin "$json")" "$(json_field continuityMin "$other")")"
        rows="$rows | $(cell "$(json_field startupMedianMillis "$json")" "$(json_field startupMedianMillis "$other")")"
        rows="$rows | $(cell "$(json_field startupMaxMillis "$json")" "$(json_field startupMaxMillis "$other")")"
        rows="$rows | $(cell "$(json_field originCopies "$json")" "$(json_field originCopies "$other")")"
        rows="$rows | $(cell "$(json_field offload "$json")" "$(json_field offload "$other")")"
        rows="$rows | $(cell "$(cpu_of "$enc/swarm-$n.time")" "$(cpu_of "$plain/swarm-$n.time")") |"$'\n'
    done
    if [ -n "$rows" ]; then
        echo "Swarm (\`scripts/swarm-bench.sh\`, the p2pstream side; one JVM holds the tracker, the origin and every viewer,"
        echo "so its CPU seconds, user + system from \`/usr/bin/time\`, are the whole swarm's):"
        echo
        echo "| viewers | at continuity >= 0.99 | continuity min | start-up median ms | start-up max ms | origin upload (copies) | offload | CPU s |"
        echo "|---:|---|---|---|---|---|---|---|"
        printf '%s' "$rows" | sort -t'|' -k1,1n | cut -d'|' -f2- | sed 's/^/|/'
    else
        echo "Swarm: no pair of runs (swarm-logs and swarm-logs-plaintext) to compare."
    fi
    echo
    enc=$OUT/live-logs plain=$OUT/live-logs-plaintext
    rows=""
    for json in "$enc"/hop-*.json; do
        [ -s "$json" ] || continue
        n=${json##*/hop-}
        n=${n%.json}
        other=$plain/hop-$n.json
        [ -s "$other" ] || continue
        rows="$rows| $n | $(cell "$(json_field startupMillis "$json")" "$(json_field startupMillis "$other")")"
        rows="$rows | $(cell "$(json_field p50 "$json")" "$(json_field p50 "$other")")"
        rows="$rows | $(cell "$(json_field p99 "$json")" "$(json_field p99 "$other")")"
        rows="$rows | $(cell "$(json_field max "$json")" "$(json_field max "$other")")"
        rows="$rows | $(json_field skipped "$json") / $(json_field skipped "$other") |"$'\n'
    done
    if [ -n "$rows" ]; then
        echo "Live (\`scripts/live-bench.sh\`; viewer n is n relay hops from the publisher; p99 and max are single chunks"
        echo "(about 100 in a 30 s run), so they swing with a GC or a compilation; the p50 is the steady state):"
        echo
        echo "| hops | start-up ms | latency p50 ms | p99 ms | max ms | chunks skipped |"
        echo "|---:|---|---|---|---|---|"
        printf '%s' "$rows" | sort -n -k2
    else
        echo "Live: no pair of runs (live-logs and live-logs-plaintext) to compare."
    fi
} >"$SECTION"
put_section "$RESULTS" "$SECTION"
