# p2pstream: the only commands a newcomer needs.
#
#   make          build dist/tracker.jar, dist/peer-server.jar, dist/peer-client.jar, dist/benchmarks.jar, and
#                 dist/peer-client: a launcher running peer-client.jar with a class-data sharing archive made by a
#                 training run (scripts/launcher.sh), for a shorter start
#   make test     unit tests (surefire), then the *E2ETest end-to-end tests against the packaged jars (failsafe)
#   make test-net the end-to-end tests in network namespaces: peers behind NATs made with ip netns and iptables
#                 (direct, mapped, reversed, punched, relayed, a live stream through a relay); needs root
#   make demo     build, then a tracker, three peer-servers and a client on loopback (scripts/demo.sh)
#   make demo-live  build, then ffmpeg's test pattern published live and watched by three relaying viewers
#                 (scripts/demo-live.sh; installs ffmpeg where missing)
#   make bench    build, then p2pstream against nginx+curl and aria2c, the JMH benchmarks, the swarm of 8, 16 and
#                 32 paced viewers against one capped nginx, live latency through 1-3 relay hops, and the tracker at
#                 scale, the HTTP gateway against nginx (scripts/bench.sh, gateway-bench.sh, swarm-bench.sh,
#                 live-bench.sh, tracker-bench.sh; BENCH_GATEWAY=0, BENCH_SWARM=0, BENCH_LIVE=0, BENCH_TRACKER=0
#                 skip parts); with issue 14's rows: encrypted p2pstream against nginx over HTTPS and against
#                 itself in --plaintext, and the swarm and live runs both ways side by side (BENCH_SECURE=0 skips
#                 them); about 18 minutes on 2 cores (14 before them)
#   make bench-secure  build, then issue 14's rows alone: case 14 of scripts/bench.sh, the swarm (without its nginx
#                 side) and live runs encrypted and in plaintext, side by side (scripts/secure-compare.sh); about
#                 6 minutes on 2 cores
#   make fuzz     the fuzz tests alone, for FUZZ_MINUTES (default 10): three tenths of it Jazzer on every wire decoder,
#                 a tenth on the HTTP request-head parser, a tenth on the secure transport's handshake and records, a
#                 fifth on the manifest decoder, the rest FUZZ_TRIES damaged
#                 sessions each against a real tracker, peer-server and HTTP server (FUZZ_SEED=N repeats a run;
#                 default a new seed, printed). `make test` runs them briefly
#   make robustness  run every hostile case (floods, slow and greedy peers, hostile HTTP clients, the tracker killed,
#                 a full disk, shared files changed) RUNS times (default 5) against real servers and write docs/ROBUSTNESS.md
#                 from what the runs measured (scripts/robustness.sh); about 4 minutes on 2 cores
#   make clean    remove build output, dist/, demo/ and bench-out/

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := build

MVN ?= mvn
# -B: no interactive colour or progress; -ntp: no download progress lines
MVN_FLAGS ?= -B -ntp -Dstyle.color=never

# `make test` keeps Maven's warnings, errors, test output and the Surefire/Failsafe summaries ("Tests run: ...",
# "Results:", per-module status, BUILD SUCCESS/FAILURE) and drops the remaining [INFO] chatter and the shade
# plugin's advice paragraph (its first line, naming the overlapping files, stays). awk always exits 0, so the
# pipeline's status is Maven's (pipefail).
SHADE_ADVICE = maven-shade-plugin has detected|present in two or more JARs|single version of the file is copied|Usually this is not harmful|otherwise try to manually exclude|dependency:tree -Ddetail|See https:[^ ]*maven-shade-plugin
# Jazzer's progress lines (INFO:, #N NEW..., MS:, dictionary) go too; its "Done N runs" line and findings stay.
JAZZER_CHATTER = ^(INFO|WARN): |^\#[0-9]+\t|^MS: [0-9]|^\#\#\#\#\#\# |^"[^"]*" \# Uses: |^OpenJDK 64-Bit Server VM warning: Sharing
TEST_FILTER = awk '{ gsub(/\033\[[0-9;]*m/, "") } \
	/^\[WARNING\] ($(SHADE_ADVICE))/ || /$(JAZZER_CHATTER)/ { next } \
	!/^\[INFO\]/ || /Tests run:|T E S T S|Results:|Running |Reactor Summary|SUCCESS \[|FAILURE \[|SKIPPED|BUILD |Total time|Building [a-z]/ \
	{ print; fflush() }'

# Maven 3.8's console library writes colour resets (ESC[0m) on stdout and stderr even in batch mode with
# -Dstyle.color=never, so `make`, `make demo` and `make clean` printed stray escape sequences. They are removed, and a
# line that held nothing else is dropped; pipefail keeps Maven's status.
ANSI_FILTER = awk '{ raw = $$0; gsub(/\033\[[0-9;]*m/, "") } $$0 != "" || raw == "" { print; fflush() }'

.PHONY: all build test test-net fuzz demo demo-live bench bench-secure robustness clean

all: build

# the peer-client launcher and its class-data archive, made from the jars just built (LAUNCHER=true skips it)
LAUNCHER ?= scripts/launcher.sh dist

build:
	$(MVN) -q $(MVN_FLAGS) install -DskipTests 2>&1 | $(ANSI_FILTER)
	$(LAUNCHER)

test:
	$(MVN) $(MVN_FLAGS) verify 2>&1 | $(TEST_FILTER)

# the end-to-end tests in network namespaces (tag netns: NATs, LANs, a router's port mapping), which need root and
# iptables (installed by the tests); about 2 minutes on 2 cores. CI runs it after `make test`
test-net:
	$(MVN) $(MVN_FLAGS) verify -pl peer -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -De2e.groups=netns \
		-De2e.excludedGroups= 2>&1 | $(TEST_FILTER)

# `make fuzz` budget, in whole minutes. A connection fuzz try takes about 1.5 ms here, so FUZZ_TRIES defaults to
# about 10% of the budget for each of the three connection tests
FUZZ_MINUTES ?= 10
FUZZ_TRIES ?= $(shell echo $$(( $(FUZZ_MINUTES) * 4000 )))
FUZZ_SEED ?= random

fuzz:
	$(MVN) $(MVN_FLAGS) -Pfuzz verify -Dfuzz.wire.seconds=$$(( $(FUZZ_MINUTES) * 18 )) \
		-Dfuzz.http.seconds=$$(( $(FUZZ_MINUTES) * 6 )) -Dfuzz.manifest.seconds=$$(( $(FUZZ_MINUTES) * 12 )) \
		-Dfuzz.noise.seconds=$$(( $(FUZZ_MINUTES) * 6 )) \
		-Dfuzz.connection.tries=$(FUZZ_TRIES) \
		-Dfuzz.seed=$(FUZZ_SEED) -Dsurefire.timeout.seconds=$$(( $(FUZZ_MINUTES) * 60 + 600 )) 2>&1 | $(TEST_FILTER)

demo: build
	scripts/demo.sh

demo-live: build
	scripts/demo-live.sh

bench: build
	scripts/bench.sh

bench-secure: build
	BENCH_ISSUE12=0 BENCH_JMH=0 BENCH_GATEWAY=0 BENCH_TRACKER=0 BENCH_SWARM_REF= scripts/bench.sh

# RUNS=N: runs per hostile case
robustness:
	RUNS=$(or $(RUNS),5) scripts/robustness.sh

clean:
	$(MVN) -q $(MVN_FLAGS) clean 2>&1 | $(ANSI_FILTER)
	rm -rf dist demo bench-out
