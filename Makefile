# p2pstream: the only commands a newcomer needs.
#
#   make          build dist/tracker.jar, dist/peer-server.jar, dist/peer-client.jar, dist/benchmarks.jar
#   make test     unit tests (surefire), then the *E2ETest end-to-end tests against the packaged jars (failsafe)
#   make demo     build, then a tracker, three peer-servers and a client on loopback (scripts/demo.sh)
#   make bench    build, then p2pstream against nginx+curl and aria2c, the JMH benchmarks, the swarm of 8, 16 and
#                 32 paced viewers against one capped nginx, and the tracker at scale (scripts/bench.sh,
#                 scripts/swarm-bench.sh, scripts/tracker-bench.sh; BENCH_SWARM=0, BENCH_TRACKER=0 skip those two);
#                 about 10 minutes on 2 cores
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
TEST_FILTER = awk '{ gsub(/\033\[[0-9;]*m/, "") } \
	/^\[WARNING\] ($(SHADE_ADVICE))/ { next } \
	!/^\[INFO\]/ || /Tests run:|T E S T S|Results:|Running |Reactor Summary|SUCCESS \[|FAILURE \[|SKIPPED|BUILD |Total time|Building [a-z]/ \
	{ print; fflush() }'

.PHONY: all build test demo bench clean

all: build

build:
	$(MVN) -q $(MVN_FLAGS) install -DskipTests

test:
	$(MVN) $(MVN_FLAGS) verify 2>&1 | $(TEST_FILTER)

demo: build
	scripts/demo.sh

bench: build
	scripts/bench.sh

clean:
	$(MVN) -q $(MVN_FLAGS) clean
	rm -rf dist demo bench-out
